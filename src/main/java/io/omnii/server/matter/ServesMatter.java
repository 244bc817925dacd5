package io.omnii.server.matter;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A resource outside this package that shows or drives the Matter devices (the console's Matter pages): a scoped
 * caller is refused there as on this package's own endpoints ({@link ScopedCallerRefusal}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
public @interface ServesMatter {
}
