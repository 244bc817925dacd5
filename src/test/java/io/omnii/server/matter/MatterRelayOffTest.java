package io.omnii.server.matter;

import static io.omnii.server.testsupport.Api.admin;
import static org.hamcrest.Matchers.equalTo;

import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Without omnii.matter.url the relay answers 503 and the rest of the service does not notice. */
@QuarkusTest
class MatterRelayOffTest extends ServerTest {

    @Test
    void everyRelayedOperationIs503WithAClearReason() {
        admin().body(Map.of("code", "34970112332")).post("/matter/commissioning").then().statusCode(503)
                .body("error", equalTo("matter_relay_off"));
        admin().body(Map.of("ssid", "Home", "password", "pw")).put("/matter/credentials/wifi").then().statusCode(503)
                .body("error", equalTo("matter_relay_off"));
        admin().post("/matter/nodes/1/interview").then().statusCode(503).body("error", equalTo("matter_relay_off"));
    }

    /** docs/matter.md: the code is checked before anything else, the relay being off included. */
    @Test
    void ourOwnChecksComeBeforeTheRelayOff() {
        admin().body(Map.of("code", "34970112333")).post("/matter/commissioning").then().statusCode(400)
                .body("error", equalTo("validation_failed")).body("violations[0].field", equalTo("code"));
        admin().body(Map.of("code", "34970112332", "setupPinCode", 20202021)).post("/matter/commissioning").then()
                .statusCode(400).body("error", equalTo("validation_failed"));
        admin().body(Map.of("ssid", "", "password", "pw")).put("/matter/credentials/wifi").then().statusCode(400)
                .body("error", equalTo("validation_failed"));
        admin().body(Map.of("timeoutSeconds", 60)).post("/matter/nodes/1/commissioning-window").then()
                .statusCode(400).body("violations[0].field", equalTo("timeoutSeconds"));
    }

    @Test
    void whatIsStoredStaysReadable() {
        admin().get("/matter/server").then().statusCode(200).body("enabled", equalTo(false))
                .body("connected", equalTo(false));
        admin().get("/matter/nodes").then().statusCode(200);
        admin().get("/matter/commissioning").then().statusCode(200);
    }
}
