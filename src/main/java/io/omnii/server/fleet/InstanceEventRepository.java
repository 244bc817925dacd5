package io.omnii.server.fleet;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** The instance_event table for reads (history); events are written with the state change that causes them. */
@ApplicationScoped
public class InstanceEventRepository implements PanacheRepositoryBase<InstanceEvent, Long> {
}
