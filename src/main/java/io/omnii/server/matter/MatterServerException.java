package io.omnii.server.matter;

/**
 * The Matter Server answered a command with an error (its code, PROTOCOL.md section 4), could not be asked at all
 * ({@link #UNAVAILABLE}), or did not answer in time ({@link #TIMEOUT}).
 */
public class MatterServerException extends RuntimeException {

    /** Not an error code of the Matter Server: the command never got an answer. */
    public static final int UNAVAILABLE = -1;
    /** Not an error code of the Matter Server: no answer within the command's timeout. */
    public static final int TIMEOUT = -2;

    private final int errorCode;

    public MatterServerException(int errorCode, String message) {
        super(message, null, false, false);
        this.errorCode = errorCode;
    }

    public int errorCode() {
        return errorCode;
    }
}
