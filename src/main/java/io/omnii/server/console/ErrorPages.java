package io.omnii.server.console;

import io.omnii.server.auth.BrowserSignIn;
import io.omnii.server.common.ApiError;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * A console page a browser navigated to that fails (an unknown or out-of-scope instance, a role that may not see it,
 * a bad query) answers with the same status as the API, but as a page a person can read and leave, instead of the
 * API's JSON error body. htmx requests keep the JSON: console.js shows its message in the page.
 */
public class ErrorPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance error(int status, String message);
    }

    @ServerResponseFilter
    public void asPage(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() >= 400 && response.getEntity() instanceof ApiError error && navigation(request)) {
            response.setEntity(Templates.error(error.status(), message(error)).render(), null,
                    MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"));
        }
    }

    private static boolean navigation(ContainerRequestContext request) {
        String accept = request.getHeaderString("Accept");
        return HttpMethod.GET.equals(request.getMethod()) && request.getHeaderString("HX-Request") == null
                && accept != null && accept.contains(MediaType.TEXT_HTML)
                && request.getUriInfo().getRequestUri().getRawPath().startsWith(BrowserSignIn.CONSOLE);
    }

    private static String message(ApiError error) {
        if (error.violations() == null || error.violations().isEmpty()) {
            return error.message();
        }
        StringBuilder text = new StringBuilder(error.message()).append(':');
        error.violations().forEach(v -> text.append(' ').append(v.field()).append(' ').append(v.message()).append(';'));
        return text.substring(0, text.length() - 1);
    }
}
