package org.iommulab.smmu.v3.internal.model;

/**
 * What the SMMU's wired interrupt lines are connected to: the driver's interrupt handlers. A
 * line is pulsed after the register or translation operation that raised it has finished, on
 * the same thread, so a handler may read and write the SMMU's registers.
 */
@FunctionalInterface
public interface IrqListener {
    void interrupt(IrqLine line);
}
