package io.omnii.server.common;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@QuarkusTest
class RequestIdsTest extends ServerTest {

    @Test
    void everyAnswerCarriesAFreshRequestIdWhenTheClientGaveNone() {
        String first = Api.admin().get("/instances").then().statusCode(200).extract().header(RequestIds.HEADER);
        String second = given().get("/instances").then().statusCode(401).extract().header(RequestIds.HEADER);
        assertThat(first).matches("[0-9a-f-]{36}");
        assertThat(second).matches("[0-9a-f-]{36}").isNotEqualTo(first);
    }

    @Test
    void aPlainRequestIdFromTheClientIsKept() {
        String id = given().header(RequestIds.HEADER, "proxy-7f3a.42:1").get("/instances")
                .then().extract().header(RequestIds.HEADER);
        assertThat(id).isEqualTo("proxy-7f3a.42:1");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", " ", "a b", "<script>", "x\u00e9", "01234567890123456789012345678901234567890123456789012345678901234" })
    void aRequestIdThatIsNotAShortPlainTokenIsReplaced(String given) {
        String id = given().header(RequestIds.HEADER, given).get("/instances").then().extract().header(RequestIds.HEADER);
        assertThat(id).matches("[0-9a-f-]{36}");
    }
}
