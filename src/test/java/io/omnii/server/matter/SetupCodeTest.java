package io.omnii.server.matter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SetupCodeTest {

    @Test
    void theSdkTestDevicesManualCodeCarriesItsPasscodeAndShortDiscriminator() {
        SetupCode code = SetupCode.parse("34970112332");
        assertThat(code.kind()).isEqualTo(SetupCode.Kind.MANUAL);
        assertThat(code.passcode()).isEqualTo(20202021L);
        assertThat(code.discriminator()).isEqualTo(0xF); // short discriminator of 3840
        assertThat(code.vendorId()).isNull();
    }

    @Test
    void printedGroupingIsAccepted() {
        assertThat(SetupCode.parse(" 3497-011-2332 ").value()).isEqualTo("34970112332");
    }

    @Test
    void theSdkTestDevicesQrCodeDecodes() {
        SetupCode code = SetupCode.parse("MT:Y.K9042C00KA0648G00");
        assertThat(code.kind()).isEqualTo(SetupCode.Kind.QR);
        assertThat(code.passcode()).isEqualTo(20202021L);
        assertThat(code.discriminator()).isEqualTo(3840);
        assertThat(code.vendorId()).isEqualTo(0xFFF1);
        assertThat(code.productId()).isEqualTo(0x8000);
        assertThat(SetupCode.parse("mt:y.k9042c00ka0648g00").value()).isEqualTo("MT:Y.K9042C00KA0648G00");
    }

    @ParameterizedTest
    @ValueSource(strings = { "34970212338", "10054912339" }) // codes from the recorded matterjs-server session
    void wellFormedCodesFromTheTranscriptPass(String code) {
        assertThat(SetupCode.parse(code).passcode()).isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "   ", "12345", "34970112333", "3497011233a", "349701123321", "84970112332",
            "MT:", "MT:Y.K9042C00KA0648G0", "MT:Y.K9042C00KA0648G0_", "MT:Y.K9042C00KA0648G00*MT", "not a code" })
    void malformedCodesAreRefusedWithAReason(String code) {
        assertThatThrownBy(() -> SetupCode.parse(code)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageFindingMatch("(code|digit|passcode)");
    }

    @Test
    void theVerhoeffCheckDigitMatchesTheSpecificationsExample() {
        assertThat(SetupCode.verhoeffCheckDigit("3497011233")).isEqualTo(2);
        assertThat(SetupCode.verhoeffCheckDigit("236")).isEqualTo(3); // the textbook example
    }
}
