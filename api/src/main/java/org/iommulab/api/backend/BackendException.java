package org.iommulab.api.backend;

/** A backend refused to attach a device; the message says why in the backend's terms. */
public class BackendException extends Exception {
    private static final long serialVersionUID = 1L;

    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
