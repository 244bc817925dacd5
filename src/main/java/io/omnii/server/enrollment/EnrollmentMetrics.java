package io.omnii.server.enrollment;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;

/** Enrollments, failed attempts and throttled attempts; every labelled counter exists from the start at zero. */
// Created at start-up so that every series is exported, at zero, before the first event.
@Startup
@Singleton
public class EnrollmentMetrics {

    /** Why an enroll attempt failed. */
    public enum Failure {
        INVALID_CODE("invalid_code"),
        INVALID_REQUEST("invalid_request");

        final String label;

        Failure(String label) {
            this.label = label;
        }
    }

    /** Which bucket refused an attempt. */
    public enum Scope {
        ADDRESS("address"),
        GLOBAL("global");

        final String label;

        Scope(String label) {
            this.label = label;
        }
    }

    private final Counter enrolled;
    private final Counter invalidCode;
    private final Counter invalidRequest;
    private final Counter throttledAddress;
    private final Counter throttledGlobal;

    EnrollmentMetrics(MeterRegistry registry) {
        enrolled = Counter.builder("omnii.enrollments").description("Instances enrolled").register(registry);
        invalidCode = failures(registry, Failure.INVALID_CODE);
        invalidRequest = failures(registry, Failure.INVALID_REQUEST);
        throttledAddress = throttled(registry, Scope.ADDRESS);
        throttledGlobal = throttled(registry, Scope.GLOBAL);
    }

    private static Counter failures(MeterRegistry registry, Failure failure) {
        return Counter.builder("omnii.enrollment.failures").description("Failed enroll attempts, by reason")
                .tag("reason", failure.label).register(registry);
    }

    private static Counter throttled(MeterRegistry registry, Scope scope) {
        return Counter.builder("omnii.enrollment.throttled")
                .description("Enroll attempts refused with 429, by the bucket that refused them")
                .tag("scope", scope.label).register(registry);
    }

    void enrolled() {
        enrolled.increment();
    }

    void failed(Failure failure) {
        (failure == Failure.INVALID_CODE ? invalidCode : invalidRequest).increment();
    }

    void throttled(Scope scope) {
        (scope == Scope.ADDRESS ? throttledAddress : throttledGlobal).increment();
    }
}
