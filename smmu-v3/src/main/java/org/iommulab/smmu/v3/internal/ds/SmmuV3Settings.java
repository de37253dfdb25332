package org.iommulab.smmu.v3.internal.ds;

import org.iommulab.iopgtable.lpae.LpaeGranule;
import org.iommulab.smmu.v3.internal.driver.DriverConfig;
import org.iommulab.smmu.v3.internal.model.SmmuV3Features;

/** Turns a {@link SmmuV3Configuration} into model features and driver settings, naming any bad value. */
final class SmmuV3Settings {
    private SmmuV3Settings() {
    }

    static SmmuV3Features features(SmmuV3Configuration c) {
        return SmmuV3Features.builder().stages(stages(c.stage())).sidBits(c.sidBits()).ssidBits(c.ssidBits())
                .cmdqLog2(c.cmdqLog2Size()).evtqLog2(c.evtqLog2Size()).oasBits(c.oas()).ril(c.ril())
                .iotlbEntries(c.iotlbEntries()).build();
    }

    static DriverConfig driver(SmmuV3Configuration c) {
        boolean twoLevel;
        switch (c.streamTableFormat()) {
            case "2level":
                twoLevel = true;
                break;
            case "linear":
                twoLevel = false;
                break;
            default:
                throw new IllegalArgumentException("streamTableFormat must be '2level' or 'linear', got '"
                        + c.streamTableFormat() + "'");
        }
        DriverConfig.Stage stage;
        switch (stages(c.stage())) {
            case S1: stage = DriverConfig.Stage.S1; break;
            case S2: stage = DriverConfig.Stage.S2; break;
            default: stage = DriverConfig.Stage.NESTED;
        }
        return new DriverConfig(twoLevel, stage, granule(c.granule()), c.ias(), c.cmdqLog2Size(), c.evtqLog2Size(),
                c.msiPoll());
    }

    static SmmuV3Features.Stages stages(String s) {
        switch (s) {
            case "1": return SmmuV3Features.Stages.S1;
            case "2": return SmmuV3Features.Stages.S2;
            case "nested": return SmmuV3Features.Stages.NESTED;
            default: throw new IllegalArgumentException("stage must be '1', '2' or 'nested', got '" + s + "'");
        }
    }

    static LpaeGranule granule(String g) {
        switch (g) {
            case "4K": return LpaeGranule.G4K;
            case "16K": return LpaeGranule.G16K;
            case "64K": return LpaeGranule.G64K;
            default: throw new IllegalArgumentException("granule must be 4K, 16K or 64K, got '" + g + "'");
        }
    }
}
