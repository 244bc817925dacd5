package io.omnii.server.console;

import io.omnii.server.matter.MatterPayloads.NodeView;
import io.quarkus.qute.TemplateExtension;

/** How the console's Matter templates name a node and its availability. */
@TemplateExtension
public class MatterFormats {

    private MatterFormats() {
    }

    /** Its label, else its product, else its number. */
    static String title(NodeView node) {
        if (node.nodeLabel() != null && !node.nodeLabel().isBlank()) {
            return node.nodeLabel();
        }
        return node.productName() != null && !node.productName().isBlank() ? node.productName()
                : "Node " + node.nodeId();
    }

    /** available, unavailable, or unknown while the Matter Server is not listened to. */
    static String availability(NodeView node) {
        return node.available() == null ? "unknown" : node.available() ? "available" : "unavailable";
    }

    static String vendorProduct(NodeView node) {
        String vendor = node.vendorName() != null ? node.vendorName()
                : node.vendorId() != null ? "vendor " + node.vendorId() : null;
        if (vendor == null) {
            return node.productName() == null ? "" : node.productName();
        }
        return node.productName() == null ? vendor : vendor + " · " + node.productName();
    }

    /** When it was last interviewed, to the second, as the Matter Server wrote it (no offset: docs/matter.md). */
    static String interviewed(NodeView node) {
        String at = node.lastInterview();
        return at == null ? "" : at.length() > 19 ? at.substring(0, 19).replace('T', ' ') : at.replace('T', ' ');
    }

    /** A cluster id as Matter writes them: 0x0006. */
    static String hex(Long id) {
        String hex = Long.toHexString(id).toUpperCase(java.util.Locale.ROOT);
        return "0".repeat(Math.max(0, 4 - hex.length())) + hex;
    }

    /** The start of a long value, to stand for it until it is unfolded. */
    static String folded(String value) {
        return value.length() <= MatterViews.VALUE_SHORT ? value : value.substring(0, MatterViews.VALUE_SHORT) + "…";
    }
}
