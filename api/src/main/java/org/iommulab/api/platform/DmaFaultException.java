package org.iommulab.api.platform;

/**
 * Thrown to a device whose access was denied: the abort a bus master receives. Carries the
 * fault as recorded. Built without a stack trace, since a simulated device may fault millions
 * of times and the fault itself says where.
 */
public class DmaFaultException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient DmaFault fault;

    public DmaFaultException(DmaFault fault) {
        super(fault.toString(), null, false, false);
        this.fault = fault;
    }

    public DmaFault fault() {
        return fault;
    }
}
