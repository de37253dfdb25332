package com.example.vtd.internal.model;

import com.example.vtd.internal.format.ContextEntry;

/**
 * One requester's context entry after decoding: the domain ID that tags its IOTLB entries, the
 * second-level table it walks, the adjusted guest address width (levels and input bits) and
 * whether faults are recorded. Immutable; a unit caches valid ones in its context cache until a
 * context-cache invalidation drops them.
 *
 * @param sourceId the requester (bus:devfn) it belongs to
 * @param did DID [23:8] of word 1
 * @param slptptr SLPTPTR of word 0
 * @param aw AW [2:0] of word 1 (1 or 2)
 * @param fpd FPD [1] of word 0
 */
record DecodedContext(int sourceId, int did, long slptptr, int aw, boolean fpd) {
    int levels() {
        return ContextEntry.levels(aw);
    }

    int addressBits() {
        return ContextEntry.addressBits(aw);
    }
}
