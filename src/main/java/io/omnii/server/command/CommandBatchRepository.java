package io.omnii.server.command;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

@ApplicationScoped
public class CommandBatchRepository implements PanacheRepositoryBase<CommandBatch, UUID> {
}
