package org.iommulab.smmu.v3.internal.driver;

/** What a domain writes into a master's STE and CD when the master is attached to it. */
interface AttachedDomain {
    /** Fills {@code ste} for one of {@code master}'s StreamIDs. */
    void makeSte(Master master, long[] ste);

    /** Fills the master's CD; returns false when the domain uses none (STE bypass, abort, stage 2). */
    boolean makeCd(long[] cd);

    /** {@code master} was released by the driver while attached: forget it. */
    void released(Master master);
}
