package io.omnii.server.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.RoleTable;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The console's table in docs/security.md against the console's code and the running server: every JAX-RS method of
 * package console has a row with its declared role, every page without path parameters answers each role as the row
 * says, and every state-changing endpoint refuses a session cookie without its CSRF token.
 */
@QuarkusTest
class ConsoleRoleMatrixTest extends ServerTest {

    private static final String TABLE = "#### Console";
    private static final String SIGN_IN = "POST /console/sign-in";
    private static final String PACKAGE = "io.omnii.server.console";
    /** What a browser sends when it navigates to a page. */
    private static final String NAVIGATION = "text/html,application/xhtml+xml,*/*;q=0.8";
    private static final Map<Class<? extends Annotation>, String> VERBS = Map.of(GET.class, "GET", POST.class, "POST",
            PUT.class, "PUT", PATCH.class, "PATCH", DELETE.class, "DELETE");

    @TestHTTPResource("/")
    URL server;

    @Test
    void everyConsoleEndpointHasARowWithTheRoleItDeclares() throws IOException {
        Map<String, String> table = RoleTable.read(TABLE);
        Map<String, String> declared = declaredRoles();

        assertThat(declared).as("console endpoints found by scanning %s", PACKAGE).hasSizeGreaterThan(10);
        Map<String, String> missing = new TreeMap<>(declared);
        missing.keySet().removeAll(table.keySet());
        Map<String, String> stale = new TreeMap<>(table);
        stale.keySet().removeAll(declared.keySet());
        assertThat(missing).as("console endpoints without a row under %s in docs/security.md", TABLE).isEmpty();
        assertThat(stale).as("rows under %s in docs/security.md that name no console endpoint", TABLE).isEmpty();
        List<String> differ = new ArrayList<>();
        table.forEach((endpoint, least) -> {
            if (!least.equals(declared.get(endpoint))) {
                differ.add(endpoint + ": table " + least + ", code " + declared.get(endpoint));
            }
        });
        assertThat(differ).as("rows whose role differs from the code's @RolesAllowed/@PermitAll").isEmpty();
    }

    @Test
    void everyPageWithoutPathParametersAnswersEachRoleAsTheTableSays() throws Exception {
        Map<String, String> sessions = new LinkedHashMap<>();
        for (String role : RoleTable.ROLES) {
            People.user("console-" + role, role);
            sessions.put(role, People.signIn("console-" + role).cookie());
        }
        List<String> wrong = new ArrayList<>();
        List<String> checked = new ArrayList<>();
        RoleTable.read(TABLE).forEach((endpoint, least) -> {
            if (!endpoint.startsWith("GET ") || endpoint.contains("{")) {
                return;
            }
            String path = endpoint.substring(4);
            checked.add(path);
            HttpResponse<InputStream> nobody = get(path, null);
            boolean toSignIn = nobody.statusCode() == 303 && URI.create(nobody.headers().firstValue("Location")
                    .orElse("/")).getPath().equals("/console/sign-in");
            if (least.equals("public") ? nobody.statusCode() != 200 : !(toSignIn || nobody.statusCode() == 401)) {
                wrong.add(endpoint + " as nobody answered " + nobody.statusCode() + " "
                        + nobody.headers().firstValue("Location").orElse(""));
            }
            sessions.forEach((role, cookie) -> {
                int status = get(path, cookie).statusCode();
                int expected = RoleTable.allows(least, role) ? 200 : 403;
                if (status != expected) {
                    wrong.add(endpoint + " as " + role + " answered " + status + ", not " + expected
                            + " (least: " + least + ")");
                }
            });
        });
        assertThat(checked).as("pages checked").contains("/console/", "/console/people", "/console/audit/verify",
                "/console/matter/commission", "/console/sign-in");
        assertThat(wrong).as("answers that differ from the table").isEmpty();
    }

    /**
     * Signing in is the exception: the cookie a browser may still carry does not authenticate it, and another site's
     * form is refused by Sec-Fetch-Site instead (docs/security.md), on the page itself rather than as JSON.
     */
    @Test
    void everyStateChangingEndpointRefusesASessionCookieWithoutTheCsrfToken() throws IOException {
        People.user("console-viewer", "viewer");
        String cookie = People.signIn("console-viewer").cookie();
        List<String> wrong = new ArrayList<>();
        RoleTable.read(TABLE).forEach((endpoint, least) -> {
            String method = endpoint.substring(0, endpoint.indexOf(' '));
            if (method.equals("GET")) {
                return;
            }
            if (endpoint.equals(SIGN_IN)) {
                int crossSite = given().redirects().follow(false).cookie("omnii_session", cookie)
                        .header("Sec-Fetch-Site", "cross-site").formParam("username", "console-viewer")
                        .formParam("password", People.PASSWORD).post("/console/sign-in").statusCode();
                if (crossSite != 403) {
                    wrong.add(SIGN_IN + " from another site answered " + crossSite);
                }
                return;
            }
            String path = RoleTable.dummyPath(endpoint.substring(endpoint.indexOf(' ') + 1));
            Response r = given().redirects().follow(false).cookie("omnii_session", cookie)
                    .contentType("application/x-www-form-urlencoded").header("HX-Request", "true")
                    .request(method, path);
            String error = r.contentType().startsWith("application/json") ? r.jsonPath().getString("error") : null;
            if (r.statusCode() != 403 || !"csrf_failed".equals(error)) {
                wrong.add(endpoint + " answered " + r.statusCode() + " " + error);
            }
        });
        assertThat(wrong).as("state-changing console endpoints that took a cookie without its CSRF token").isEmpty();
    }

    /** "METHOD /path" to the least role of every JAX-RS method of the console's classes. */
    private static Map<String, String> declaredRoles() {
        Map<String, String> endpoints = new TreeMap<>();
        for (JavaClass javaClass : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(PACKAGE)) {
            Class<?> type = javaClass.reflect();
            Path classPath = type.getAnnotation(Path.class);
            if (classPath == null || !javaClass.getPackageName().equals(PACKAGE)) {
                continue;
            }
            for (Method method : type.getDeclaredMethods()) {
                VERBS.forEach((annotation, verb) -> {
                    if (method.isAnnotationPresent(annotation)) {
                        String previous = endpoints.put(verb + " " + path(classPath, method.getAnnotation(Path.class)),
                                role(type, method));
                        assertThat(previous).as("two methods answer %s %s", verb, method).isNull();
                    }
                });
            }
        }
        return endpoints;
    }

    private static String path(Path classPath, Path methodPath) {
        if (methodPath == null) {
            return classPath.value();
        }
        return (classPath.value().replaceAll("/$", "") + "/" + methodPath.value().replaceAll("^/", ""))
                .replaceAll("/$", "");
    }

    /** The method's own declaration, else its class's; "none" when neither declares one (refused to everyone). */
    private static String role(Class<?> type, Method method) {
        for (var element : List.of(method, type)) {
            RolesAllowed roles = element.getAnnotation(RolesAllowed.class);
            if (roles != null) {
                return String.join(",", roles.value());
            }
            if (element.isAnnotationPresent(PermitAll.class)) {
                return "public";
            }
        }
        return "none";
    }

    /** Status and headers only: GET /console/events streams on for a role that may listen. */
    private HttpResponse<InputStream> get(String path, String cookie) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.toString().replaceAll("/$", "") + path))
                .header("Accept", NAVIGATION).timeout(Duration.ofSeconds(20));
        if (cookie != null) {
            request.header("Cookie", "omnii_session=" + cookie);
        }
        try {
            HttpResponse<InputStream> response = HttpClient.newHttpClient()
                    .send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            response.body().close();
            return response;
        } catch (IOException e) {
            throw new IllegalStateException("GET " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("GET " + path, e);
        }
    }
}
