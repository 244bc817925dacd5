package io.omnii.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@QuarkusTest
class BreakGlassNoticeTest extends ServerTest {

    @Inject
    BreakGlassNotices notices;

    @Test
    void theBreakGlassTokenIsAnnouncedOncePerAddressEveryTenMinutes() throws Exception {
        // Past whatever other tests' requests announced.
        clock.advance(Duration.ofDays(2));
        int before = notices.seen().size();
        String requestId = Api.admin().header("X-Request-Id", "glass-1").get("/instances").then().statusCode(200)
                .extract().header("X-Request-Id");
        Api.admin().get("/instances").then().statusCode(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> notices.seen().size() == before + 1);
        BreakGlassUsed first = notices.seen().get(before);
        assertThat(first.requestId()).isEqualTo(requestId).isEqualTo("glass-1");
        assertThat(first.address()).isNotBlank();

        clock.advance(Duration.ofMinutes(9));
        Api.admin().get("/instances").then().statusCode(200);
        Thread.sleep(200); // an asynchronous event that should not come
        assertThat(notices.seen()).hasSize(before + 1);
        clock.advance(Duration.ofMinutes(2));
        Api.admin().get("/instances").then().statusCode(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> notices.seen().size() == before + 2);
    }
}
