package org.iommulab.tck.internal.checks;

import org.iommulab.tck.BackendUnderTest;
import org.iommulab.tck.Check;
import org.iommulab.tck.internal.Rig;

/** A check that sets up what it needs on a {@link Rig}, which takes it all down again. */
abstract class RigCheck implements Check {
    static final int PAGE = 4096;

    private final String id;
    private final String rule;

    RigCheck(String id, String rule) {
        this.id = id;
        this.rule = rule;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String rule() {
        return rule;
    }

    @Override
    public final String run(BackendUnderTest backend) throws Exception {
        try (Rig rig = new Rig(backend)) {
            return run(rig);
        }
    }

    /** The check; returns what it verified. */
    abstract String run(Rig rig) throws Exception;

    @Override
    public String toString() {
        return id;
    }
}
