package io.omnii.server.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.omnii.server.testsupport.People;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The console's forms as a browser posts them, and the hostile values every form field gets in the tests. */
final class FormRequests {

    /** Values no form field takes: NUL, overlong, right-to-left and emoji, markup, a script in an attribute. */
    static final List<String> HOSTILE = List.of("\0", "a\0b", "x".repeat(10_000), "שלום 🙂 مرحبا",
            "<script>alert(1)</script>", "\"'><img src=x onerror=alert(1)>", "../../etc/passwd", "\u202Eevil");
    /** Values a number field does not take (wrong types, out of range), besides {@link #HOSTILE}. */
    static final List<String> NOT_NUMBERS = List.of("-1", "0", "1.5", "true", "[1]", "{}", "99999999999", "1e3");

    private FormRequests() {
    }

    /** A request of a signed-in browser, with its CSRF header (as htmx sends it) unless {@code csrf} is false. */
    static RequestSpecification as(People.Session session, boolean csrf) {
        RequestSpecification r = given().cookie("omnii_session", session.cookie()).header("HX-Request", "true")
                .contentType(ContentType.URLENC).redirects().follow(false);
        return csrf ? r.header("X-CSRF-Token", session.csrfToken()) : r;
    }

    static Response post(People.Session session, String path, Map<String, ?> form) {
        return as(session, true).formParams(form).post(path);
    }

    /** The form with one field set (or replaced). */
    static Map<String, String> with(Map<String, String> form, String field, String value) {
        Map<String, String> changed = new HashMap<>(form);
        changed.put(field, value);
        return changed;
    }

    /** A refusal: a 4xx with the API's JSON error body, never a 5xx or a page. */
    static void assertRefused(Response r, String what) {
        assertThat(r.statusCode()).as(what + " answered " + r.asString()).isBetween(400, 499);
        assertThat(r.contentType()).as(what).startsWith("application/json");
        assertThat((String) r.path("error")).as(what).isNotBlank();
        assertThat((Integer) r.path("status")).as(what).isEqualTo(r.statusCode());
    }

    /**
     * A free-text field's answer: a refusal as {@link #assertRefused}, or taken, never a 5xx; whatever was taken comes
     * back escaped, never as markup.
     */
    static void assertRefusedOrTaken(Response r, String what) {
        assertThat(r.statusCode()).as(what + " answered " + r.asString()).isLessThan(500);
        if (r.statusCode() >= 400) {
            assertRefused(r, what);
        } else {
            assertThat(r.asString()).as(what).doesNotContain("<script>alert(1)").doesNotContain("<img src=x");
        }
    }

    /** A forged request (no CSRF header) is refused before it does anything. */
    static void assertForgeryRefused(Response r) {
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat((String) r.path("error")).isEqualTo("csrf_failed");
    }
}
