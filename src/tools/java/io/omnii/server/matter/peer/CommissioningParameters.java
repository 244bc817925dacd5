package io.omnii.server.matter.peer;

/** The open_commissioning_window result. */
public record CommissioningParameters(long setupPinCode, String setupManualCode, String setupQrCode) {

    /** The virtual light's own codes (passcode 20202021, discriminator 3840), as in the transcript README. */
    public static final CommissioningParameters VIRTUAL_LIGHT =
            new CommissioningParameters(20202021, "34970112332", "MT:-24J0AFN00KA0648G00");
}
