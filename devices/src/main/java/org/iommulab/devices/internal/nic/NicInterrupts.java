package org.iommulab.devices.internal.nic;

/** The NIC's interrupt lines, as callbacks into the driver; called on the thread that rang the doorbell. */
public interface NicInterrupts {
    /** TX descriptor {@code index} is done; {@code ok} is false when the device flagged it ERR. */
    void txDone(int index, boolean ok);

    /** RX descriptor {@code index} holds a received frame (or ERR in its flags). */
    void rxDone(int index);

    /** The device failed outside any descriptor it could flag (a denied ring access); {@code what} says how. */
    void error(String what);
}
