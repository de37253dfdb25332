package org.iommulab.replay.internal.input;

/** How a trace file is compressed, told by its first bytes, never by its name. */
public enum Compression {
    /** Plain text. */
    NONE,
    /** gzip, magic {@code 1f 8b} (RFC 1952). */
    GZIP,
    /** xz, magic {@code fd 37 7a 58 5a 00} (the .xz file format, section 2.1.1.1). */
    XZ;

    private static final byte[] XZ_MAGIC = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};

    /** The compression {@code head} (the first bytes, up to 6) starts with. */
    static Compression of(byte[] head, int len) {
        if (len >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return GZIP;
        }
        if (len >= XZ_MAGIC.length) {
            for (int i = 0; i < XZ_MAGIC.length; i++) {
                if (head[i] != XZ_MAGIC[i]) {
                    return NONE;
                }
            }
            return XZ;
        }
        return NONE;
    }
}
