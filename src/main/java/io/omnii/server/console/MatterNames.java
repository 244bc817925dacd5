package io.omnii.server.console;

import java.util.Map;

/**
 * Names for the Matter clusters, attributes and device types the console shows (Matter Application Cluster and
 * Device Library specifications); what is not named here is shown by its number.
 */
final class MatterNames {

    private MatterNames() {
    }

    /** Every cluster's global attributes (Matter Core specification, 7.13). */
    private static final Map<Long, String> GLOBAL_ATTRIBUTES = Map.of(65528L, "GeneratedCommandList",
            65529L, "AcceptedCommandList", 65530L, "EventList", 65531L, "AttributeList", 65532L, "FeatureMap",
            65533L, "ClusterRevision");

    private record Cluster(String name, Map<Long, String> attributes) {
    }

    private static final Map<Long, Cluster> CLUSTERS = Map.ofEntries(
            Map.entry(3L, new Cluster("Identify", Map.of(0L, "IdentifyTime", 1L, "IdentifyType"))),
            Map.entry(4L, new Cluster("Groups", Map.of(0L, "NameSupport"))),
            Map.entry(6L, new Cluster("On/Off", Map.of(0L, "OnOff", 16384L, "GlobalSceneControl", 16385L, "OnTime",
                    16386L, "OffWaitTime", 16387L, "StartUpOnOff"))),
            Map.entry(8L, new Cluster("Level Control", Map.of(0L, "CurrentLevel", 1L, "RemainingTime", 2L, "MinLevel",
                    3L, "MaxLevel", 15L, "Options", 16L, "OnOffTransitionTime", 17L, "OnLevel",
                    16384L, "StartUpCurrentLevel"))),
            Map.entry(29L, new Cluster("Descriptor", Map.of(0L, "DeviceTypeList", 1L, "ServerList", 2L, "ClientList",
                    3L, "PartsList", 4L, "TagList"))),
            Map.entry(30L, new Cluster("Binding", Map.of(0L, "Binding"))),
            Map.entry(31L, new Cluster("Access Control", Map.of(0L, "ACL", 1L, "Extension",
                    2L, "SubjectsPerAccessControlEntry", 3L, "TargetsPerAccessControlEntry",
                    4L, "AccessControlEntriesPerFabric"))),
            Map.entry(40L, new Cluster("Basic Information", Map.ofEntries(Map.entry(0L, "DataModelRevision"),
                    Map.entry(1L, "VendorName"), Map.entry(2L, "VendorID"), Map.entry(3L, "ProductName"),
                    Map.entry(4L, "ProductID"), Map.entry(5L, "NodeLabel"), Map.entry(6L, "Location"),
                    Map.entry(7L, "HardwareVersion"), Map.entry(8L, "HardwareVersionString"),
                    Map.entry(9L, "SoftwareVersion"), Map.entry(10L, "SoftwareVersionString"),
                    Map.entry(11L, "ManufacturingDate"), Map.entry(12L, "PartNumber"), Map.entry(13L, "ProductURL"),
                    Map.entry(14L, "ProductLabel"), Map.entry(15L, "SerialNumber"),
                    Map.entry(16L, "LocalConfigDisabled"), Map.entry(17L, "Reachable"), Map.entry(18L, "UniqueID"),
                    Map.entry(19L, "CapabilityMinima"), Map.entry(20L, "ProductAppearance"),
                    Map.entry(21L, "SpecificationVersion"), Map.entry(22L, "MaxPathsPerInvoke"),
                    Map.entry(24L, "ConfigurationVersion")))),
            Map.entry(42L, new Cluster("OTA Software Update Requestor", Map.of(0L, "DefaultOTAProviders",
                    1L, "UpdatePossible", 2L, "UpdateState", 3L, "UpdateStateProgress"))),
            Map.entry(47L, new Cluster("Power Source", Map.of(0L, "Status", 1L, "Order", 2L, "Description"))),
            Map.entry(48L, new Cluster("General Commissioning", Map.of(0L, "Breadcrumb", 1L, "BasicCommissioningInfo",
                    2L, "RegulatoryConfig", 3L, "LocationCapability", 4L, "SupportsConcurrentConnection"))),
            Map.entry(49L, new Cluster("Network Commissioning", Map.of(0L, "MaxNetworks", 1L, "Networks",
                    4L, "InterfaceEnabled", 5L, "LastNetworkingStatus", 6L, "LastNetworkID",
                    7L, "LastConnectErrorValue"))),
            Map.entry(51L, new Cluster("General Diagnostics", Map.of(0L, "NetworkInterfaces", 1L, "RebootCount",
                    2L, "UpTime", 3L, "TotalOperationalHours", 4L, "BootReason", 5L, "ActiveHardwareFaults",
                    6L, "ActiveRadioFaults", 7L, "ActiveNetworkFaults", 8L, "TestEventTriggersEnabled"))),
            Map.entry(52L, new Cluster("Software Diagnostics", Map.of())),
            Map.entry(53L, new Cluster("Thread Network Diagnostics", Map.of(0L, "Channel", 1L, "RoutingRole"))),
            Map.entry(54L, new Cluster("Wi-Fi Network Diagnostics", Map.of(0L, "BSSID", 1L, "SecurityType",
                    2L, "WiFiVersion", 3L, "ChannelNumber", 4L, "RSSI"))),
            Map.entry(55L, new Cluster("Ethernet Network Diagnostics", Map.of())),
            Map.entry(57L, new Cluster("Bridged Device Basic Information", Map.of(1L, "VendorName", 3L, "ProductName",
                    5L, "NodeLabel", 10L, "SoftwareVersionString", 17L, "Reachable"))),
            Map.entry(59L, new Cluster("Switch", Map.of(0L, "NumberOfPositions", 1L, "CurrentPosition"))),
            Map.entry(60L, new Cluster("Administrator Commissioning", Map.of(0L, "WindowStatus",
                    1L, "AdminFabricIndex", 2L, "AdminVendorId"))),
            Map.entry(62L, new Cluster("Operational Credentials", Map.of(0L, "NOCs", 1L, "Fabrics",
                    2L, "SupportedFabrics", 3L, "CommissionedFabrics", 4L, "TrustedRootCertificates",
                    5L, "CurrentFabricIndex"))),
            Map.entry(63L, new Cluster("Group Key Management", Map.of(0L, "GroupKeyMap", 1L, "GroupTable",
                    2L, "MaxGroupsPerFabric", 3L, "MaxGroupKeysPerFabric"))),
            Map.entry(64L, new Cluster("Fixed Label", Map.of(0L, "LabelList"))),
            Map.entry(65L, new Cluster("User Label", Map.of(0L, "LabelList"))),
            Map.entry(69L, new Cluster("Boolean State", Map.of(0L, "StateValue"))),
            Map.entry(98L, new Cluster("Scenes Management", Map.of(0L, "LastConfiguredBy", 1L, "SceneTableSize",
                    2L, "FabricSceneInfo"))),
            Map.entry(257L, new Cluster("Door Lock", Map.of(0L, "LockState", 1L, "LockType", 2L, "ActuatorEnabled"))),
            Map.entry(258L, new Cluster("Window Covering", Map.of())),
            Map.entry(513L, new Cluster("Thermostat", Map.of(0L, "LocalTemperature", 17L, "OccupiedCoolingSetpoint",
                    18L, "OccupiedHeatingSetpoint", 28L, "SystemMode"))),
            Map.entry(514L, new Cluster("Fan Control", Map.of(0L, "FanMode", 2L, "PercentSetting",
                    3L, "PercentCurrent"))),
            Map.entry(768L, new Cluster("Color Control", Map.of(0L, "CurrentHue", 1L, "CurrentSaturation",
                    3L, "CurrentX", 4L, "CurrentY", 7L, "ColorTemperatureMireds", 8L, "ColorMode"))),
            Map.entry(1024L, new Cluster("Illuminance Measurement", Map.of(0L, "MeasuredValue"))),
            Map.entry(1026L, new Cluster("Temperature Measurement", Map.of(0L, "MeasuredValue", 1L, "MinMeasuredValue",
                    2L, "MaxMeasuredValue"))),
            Map.entry(1027L, new Cluster("Pressure Measurement", Map.of(0L, "MeasuredValue"))),
            Map.entry(1029L, new Cluster("Relative Humidity Measurement", Map.of(0L, "MeasuredValue"))),
            Map.entry(1030L, new Cluster("Occupancy Sensing", Map.of(0L, "Occupancy"))));

    private static final Map<Long, String> DEVICE_TYPES = Map.ofEntries(Map.entry(17L, "Power Source"),
            Map.entry(18L, "OTA Requestor"), Map.entry(19L, "Bridged Node"), Map.entry(20L, "OTA Provider"),
            Map.entry(22L, "Root Node"), Map.entry(14L, "Aggregator"), Map.entry(15L, "Generic Switch"),
            Map.entry(256L, "On/Off Light"), Map.entry(257L, "Dimmable Light"),
            Map.entry(268L, "Color Temperature Light"), Map.entry(269L, "Extended Color Light"),
            Map.entry(266L, "On/Off Plug-in Unit"), Map.entry(267L, "Dimmable Plug-in Unit"),
            Map.entry(259L, "On/Off Light Switch"), Map.entry(10L, "Door Lock"), Map.entry(21L, "Contact Sensor"),
            Map.entry(770L, "Temperature Sensor"), Map.entry(775L, "Humidity Sensor"),
            Map.entry(263L, "Occupancy Sensor"), Map.entry(262L, "Light Sensor"), Map.entry(769L, "Thermostat"),
            Map.entry(43L, "Fan"), Map.entry(514L, "Window Covering"));

    /** "On/Off", or "Cluster 1234" for one not named here. */
    static String cluster(long id) {
        Cluster c = CLUSTERS.get(id);
        return c != null ? c.name() : "Cluster " + id;
    }

    /** The attribute's name, or null when it is not named here. */
    static String attribute(long cluster, long id) {
        String global = GLOBAL_ATTRIBUTES.get(id);
        if (global != null) {
            return global;
        }
        Cluster c = CLUSTERS.get(cluster);
        return c == null ? null : c.attributes().get(id);
    }

    static String deviceType(long id) {
        return DEVICE_TYPES.getOrDefault(id, "Device type " + id);
    }
}
