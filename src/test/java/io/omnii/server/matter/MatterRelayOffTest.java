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

    @Test
    void whatIsStoredStaysReadable() {
        admin().get("/matter/server").then().statusCode(200).body("enabled", equalTo(false))
                .body("connected", equalTo(false));
        admin().get("/matter/nodes").then().statusCode(200);
        admin().get("/matter/commissioning").then().statusCode(200);
    }
}
