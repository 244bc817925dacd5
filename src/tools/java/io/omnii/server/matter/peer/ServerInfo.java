package io.omnii.server.matter.peer;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigInteger;

/**
 * The ServerInfoMessage: the bare first frame, the server_info result and server_info_updated data. Fields are in
 * wire order; the matterjs-only ones (fabric_index, ble_proxy_enabled, controller_node_id) are left out when null.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServerInfo(
        BigInteger fabricId,
        BigInteger compressedFabricId,
        Integer fabricIndex,
        int schemaVersion,
        int minSupportedSchemaVersion,
        String sdkVersion,
        boolean wifiCredentialsSet,
        boolean threadCredentialsSet,
        boolean bluetoothEnabled,
        Boolean bleProxyEnabled,
        BigInteger controllerNodeId) {

    /** As recorded from matterjs-server 1.4.1 (the first frame of every transcript session). */
    public static final ServerInfo MATTERJS_1_4_1 = new ServerInfo(BigInteger.ONE,
            new BigInteger("1360908656835624194"), 1, 13, 11,
            "matter-server/1.4.1-alpha.1-20260821-2b3d25a (matter.js/0.17.9)",
            false, false, false, false, BigInteger.valueOf(112233));

    /** python-matter-server 8.x: schema 11, minimum 9, the CHIP clusters version, none of the matterjs fields. */
    public static final ServerInfo PYTHON_MATTER_SERVER_8 = new ServerInfo(BigInteger.ONE,
            new BigInteger("1360908656835624194"), null, 11, 9, "2025.7.0",
            false, false, false, null, null);

    /** The MJS client and PROTOCOL.md §8 tell the two servers apart by this prefix. */
    public boolean matterJs() {
        return sdkVersion.startsWith("matter-server/");
    }

    public ServerInfo withSchema(int schema, int minSupported) {
        return new ServerInfo(fabricId, compressedFabricId, fabricIndex, schema, minSupported, sdkVersion,
                wifiCredentialsSet, threadCredentialsSet, bluetoothEnabled, bleProxyEnabled, controllerNodeId);
    }

    public ServerInfo withSdkVersion(String sdk) {
        return new ServerInfo(fabricId, compressedFabricId, fabricIndex, schemaVersion, minSupportedSchemaVersion, sdk,
                wifiCredentialsSet, threadCredentialsSet, bluetoothEnabled, bleProxyEnabled, controllerNodeId);
    }

    public ServerInfo withFabric(BigInteger fabric, BigInteger compressedFabric) {
        return new ServerInfo(fabric, compressedFabric, fabricIndex, schemaVersion, minSupportedSchemaVersion,
                sdkVersion, wifiCredentialsSet, threadCredentialsSet, bluetoothEnabled, bleProxyEnabled,
                controllerNodeId);
    }

    public ServerInfo withCredentials(boolean wifi, boolean thread) {
        return new ServerInfo(fabricId, compressedFabricId, fabricIndex, schemaVersion, minSupportedSchemaVersion,
                sdkVersion, wifi, thread, bluetoothEnabled, bleProxyEnabled, controllerNodeId);
    }

    public ServerInfo withBluetoothEnabled(boolean enabled) {
        return new ServerInfo(fabricId, compressedFabricId, fabricIndex, schemaVersion, minSupportedSchemaVersion,
                sdkVersion, wifiCredentialsSet, threadCredentialsSet, enabled, bleProxyEnabled, controllerNodeId);
    }
}
