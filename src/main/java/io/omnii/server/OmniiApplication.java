package io.omnii.server;

import io.omnii.server.common.ApiDocumentFilter;
import io.omnii.server.common.ApiError;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/** Describes the API for /q/openapi: every operation needs a bearer credential unless it says otherwise. */
@OpenAPIDefinition(
        info = @Info(title = "Omnii Server API", version = "0.1",
                description = "Enrolls Home Assistant instances and manages the fleet. See docs/api.md."),
        security = @SecurityRequirement(name = OmniiApplication.ADMIN_SCHEME),
        // Every 4xx/5xx refers to it (ApiDocumentFilter adds the responses).
        components = @Components(schemas = @Schema(name = ApiDocumentFilter.ERROR_SCHEMA,
                implementation = ApiError.class)))
@SecurityScheme(securitySchemeName = OmniiApplication.ADMIN_SCHEME, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "A personal API token, or the break-glass admin token (omnii.admin.token); each operation needs a "
                + "role (docs/security.md)")
public class OmniiApplication extends Application {

    public static final String ADMIN_SCHEME = "admin";
}
