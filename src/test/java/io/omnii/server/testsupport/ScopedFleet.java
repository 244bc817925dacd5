package io.omnii.server.testsupport;

import static io.restassured.RestAssured.given;

import io.omnii.server.audit.Actor;
import io.omnii.server.auth.Scope;
import io.omnii.server.enrollment.EnrollmentService;
import io.restassured.http.ContentType;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.List;
import java.util.Set;

/** Two customers' scopes, and instances enrolled with codes made under a scope (so they carry its tags). */
@ApplicationScoped
public class ScopedFleet {

    public static final String SMITH_TAG = "customer:smith";
    public static final String JONES_TAG = "customer:jones";
    public static final Scope SMITH = Scope.of(Set.of(SMITH_TAG));
    public static final Scope JONES = Scope.of(Set.of(JONES_TAG));

    private final EnrollmentService enrollment;

    ScopedFleet(EnrollmentService enrollment) {
        this.enrollment = enrollment;
    }

    /** Enrolls an instance through POST /enroll with a code made under the scope; returns its id. */
    public String enroll(Scope scope, String name) {
        String code = enrollment.createCode(scope, scope.unrestricted() ? null : List.of(scope.tagArray()), null,
                Actor.system()).code();
        return given().contentType(ContentType.JSON).body(Map.of("code", code, "name", name))
                .post("/enroll").then().statusCode(200).extract().path("instanceId");
    }
}
