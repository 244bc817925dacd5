package io.omnii.server.matter;

/** The Matter Server answered a command with an error, or could not be asked at all (code -1). */
public class MatterServerException extends RuntimeException {

    /** Not an error code of the Matter Server: the command never got an answer. */
    public static final int UNAVAILABLE = -1;

    private final int errorCode;

    public MatterServerException(int errorCode, String message) {
        super(message, null, false, false);
        this.errorCode = errorCode;
    }

    public int errorCode() {
        return errorCode;
    }
}
