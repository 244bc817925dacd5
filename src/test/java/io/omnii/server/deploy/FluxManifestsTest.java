package io.omnii.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * k8s/ as Flux applies it: the home cluster (k8s/clusters/home, what `flux bootstrap --path` or `kubectl apply -k`
 * applies) holds a Git source and Flux Kustomizations; each Kustomization builds a path of this repository
 * (`kubectl kustomize`, as kustomize-controller does) from an artifact that the source's ignore rules must not
 * starve; they apply in dependsOn order; the cluster's settings reach every release; our chart renders with its
 * release's values. The Matter Server's chart cannot be fetched here, so its release is checked against the chart's
 * template as read (see MATTER_CHART_VALUES), and its post-renderer is applied to the StatefulSet that template
 * renders (matterChartStatefulSet).
 */
class FluxManifestsTest {

    static final Path K8S = Path.of("k8s");
    static final Path CLUSTER = K8S.resolve("clusters/home");
    static final Path MATTER_APP = K8S.resolve("apps/home/matter-server");
    static final Path OMNII_APP = K8S.resolve("apps/home/omnii-server");
    static final Path SETTINGS = K8S.resolve("apps/home/settings/settings.yaml");
    static final String MATTERJS_COMPONENT = "../../../components/matterjs";
    static final String CHART_FROM_GIT_COMPONENT = "../../../components/chart-from-git";
    static final Path RELEASE_WORKFLOW = Path.of(".github/workflows/release.yml");
    private static final String NAMESPACE = "home-automation";
    private static final String FLUX_NAMESPACE = "flux-system";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /**
     * The values chart home-assistant-matter-server 3.3.0 reads: wittdennis/charts,
     * home-assistant-matter-server/templates/statefulset.yaml at commit ad029e403c346436e414bc53fefdb088f00522f9 (the
     * 3.3.0 template: log.logLevel came with 3.3.0, --paa-root-cert-dir went with 4.0.0), service.yaml,
     * serviceaccount.yaml, ingress.yaml, httproute.yaml (3.2.0) and _helpers.tpl. That template hard-codes
     * hostNetwork, dnsPolicy, both securityContexts and the args `--storage-path /data --paa-root-cert-dir
     * /data/credentials [--log-level x] [--log-level-sdk y] --bluetooth-adapter {{ enabled | ternary "1" "0" }}
     * [--primary-interface <networkInterface>]`; resources and startupProbe are values (startupProbe since 3.1.0).
     */
    static final Set<String> MATTER_CHART_VALUES = Set.of("image.repository", "image.tag", "image.pullPolicy",
            "imagePullSecrets", "nameOverride", "fullnameOverride", "serviceAccount", "podAnnotations", "podLabels",
            "enableServiceLinks", "log.logLevel", "log.logLevelSDK", "bluetoothCommissioning.enabled",
            "networkInterface", "livenessProbe", "readinessProbe", "startupProbe", "resources", "volumes",
            "volumeMounts", "nodeSelector", "affinity", "tolerations", "persistence.storageClassName",
            "persistence.size", "service.type", "service.port", "ingress", "route");

    /** Every kustomize directory under k8s/ that builds on its own (components build only inside one). */
    static Stream<Path> kustomizations() throws IOException {
        try (Stream<Path> files = Files.walk(K8S)) {
            List<Path> dirs = new ArrayList<>();
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.getFileName().toString().equals("kustomization.yaml")
                        && YAML.readTree(file.toFile()).path("kind").asText().equals("Kustomization")) {
                    dirs.add(file.getParent());
                }
            }
            return dirs.stream().sorted();
        }
    }

    /** A copy of k8s/ whose home cluster runs matterjs-server: the one line docs/operations.md tells you to add. */
    static Path matterjsVariant(Path copy) throws IOException {
        return withComponent(copy, "apps/home/matter-server", MATTERJS_COMPONENT);
    }

    /** A copy of k8s/ whose home cluster installs Omnii Server's chart from git: the fork's one line. */
    static Path chartFromGitVariant(Path copy) throws IOException {
        return withComponent(copy, "apps/home/omnii-server", CHART_FROM_GIT_COMPONENT);
    }

    private static Path withComponent(Path copy, String app, String component) throws IOException {
        copyTree(K8S, copy);
        Path kustomization = copy.resolve(app).resolve("kustomization.yaml");
        ObjectNode root = (ObjectNode) YAML.readTree(kustomization.toFile());
        root.withArray("components").add(component);
        YAML.writeValue(kustomization.toFile(), root);
        return copy.resolve(app);
    }

    private static List<JsonNode> fluxKustomizations(List<JsonNode> objects) {
        return objects.stream().filter(o -> o.path("kind").asText().equals("Kustomization")).toList();
    }

    private static JsonNode matterServer(List<JsonNode> objects) {
        return Kustomize.one(objects, "HelmRelease", "matter-server");
    }

    private static JsonNode omniiServer(List<JsonNode> objects) {
        return Kustomize.one(objects, "HelmRelease", "omnii-server");
    }

    /**
     * Our chart as Flux installs it: rendered with the HelmRelease's values. From the local charts/omnii-server in
     * both ways of installing it: the OCI chart Flux pulls by default is this directory as packaged at a release tag.
     */
    private static List<JsonNode> renderChart(JsonNode release) throws IOException {
        Path values = Files.createTempFile("release-values", ".yaml");
        YAML.writeValue(values.toFile(), release.at("/spec/values"));
        return Chart.render(values);
    }

    /** The server's pod: a Deployment's or a StatefulSet's, whichever the chart makes it. */
    private static JsonNode serverPod(List<JsonNode> rendered) {
        List<JsonNode> found = rendered.stream()
                .filter(o -> Set.of("Deployment", "StatefulSet").contains(o.path("kind").asText()))
                .filter(o -> o.at("/metadata/labels/app.kubernetes.io~1component").asText().equals("server"))
                .toList();
        assertThat(found).hasSize(1);
        return found.get(0).at("/spec/template/spec");
    }

    private static String env(JsonNode pod, String name) {
        for (JsonNode e : pod.at("/containers/0/env")) {
            if (e.path("name").asText().equals(name)) {
                return e.path("value").asText();
            }
        }
        throw new AssertionError("no " + name + " in the server's environment");
    }

    private static Path pathOf(JsonNode kustomization) {
        return Path.of(kustomization.at("/spec/path").asText().replaceFirst("^\\./", ""));
    }

    @Test
    void theClusterAppliesItsGitSourceAndOneFluxKustomizationPerStep() throws Exception {
        List<JsonNode> objects = Kustomize.build(CLUSTER);
        assertThat(objects).extracting(o -> o.path("apiVersion").asText() + " " + o.path("kind").asText() + "/"
                + o.at("/metadata/name").asText()).containsExactlyInAnyOrder(
                        "source.toolkit.fluxcd.io/v1 GitRepository/omnii-server",
                        "kustomize.toolkit.fluxcd.io/v1 Kustomization/infrastructure",
                        "kustomize.toolkit.fluxcd.io/v1 Kustomization/matter-server",
                        "kustomize.toolkit.fluxcd.io/v1 Kustomization/omnii-server");
        objects.forEach(o -> assertThat(o.at("/metadata/namespace").asText()).isEqualTo(FLUX_NAMESPACE));
    }

    @Test
    void everyKustomizationBuildsAPathOfThisRepositoryFromTheSourceBesideIt() throws Exception {
        List<JsonNode> objects = Kustomize.build(CLUSTER);
        for (JsonNode kustomization : fluxKustomizations(objects)) {
            JsonNode ref = kustomization.at("/spec/sourceRef");
            JsonNode source = Kustomize.one(objects, ref.path("kind").asText(), ref.path("name").asText());
            assertThat(source.at("/spec/url").asText()).isEqualTo("https://github.com/omnii/omnii-server");
            assertThat(kustomization.at("/spec/prune").asBoolean()).isTrue();
            Path path = pathOf(kustomization);
            assertThat(path.resolve("kustomization.yaml")).as(path.toString()).isRegularFile();
            assertThat(Kustomize.build(path)).as(path.toString()).isNotEmpty();
        }
    }

    @Test
    void dependsOnAppliesTheNamespaceThenTheMatterServerThenOmniiServer() throws Exception {
        List<JsonNode> kustomizations = fluxKustomizations(Kustomize.build(CLUSTER));
        Map<String, List<String>> dependsOn = new LinkedHashMap<>();
        for (JsonNode k : kustomizations) {
            List<String> names = new ArrayList<>();
            k.at("/spec/dependsOn").forEach(d -> names.add(d.path("name").asText()));
            dependsOn.put(k.at("/metadata/name").asText(), names);
            // Ready only once what it applied is: so that what depends on it waits for the releases themselves.
            assertThat(k.at("/spec/wait").asBoolean()).as(k.at("/metadata/name").asText()).isTrue();
        }
        assertThat(topologicalOrder(dependsOn)).containsExactly("infrastructure", "matter-server", "omnii-server");
        // The namespace the releases go into is the first step's.
        JsonNode namespace = Kustomize.one(Kustomize.build(K8S.resolve("infrastructure")), "Namespace", NAMESPACE);
        assertThat(namespace.at("/metadata/labels/pod-security.kubernetes.io~1enforce").asText())
                .isEqualTo("privileged");
    }

    @Test
    void noPruneOrUninstallCanDeleteAVolume() throws Exception {
        // Flux prunes what a commit drops: a Namespace takes every claim in it along, so it is exempt. No claim is
        // Flux's own: they come from the StatefulSets' claim templates, which a pruned release leaves behind.
        List<JsonNode> namespaces = new ArrayList<>();
        for (JsonNode kustomization : fluxKustomizations(Kustomize.build(CLUSTER))) {
            for (JsonNode o : Kustomize.build(pathOf(kustomization))) {
                assertThat(o.path("kind").asText()).isNotEqualTo("PersistentVolumeClaim");
                if (o.path("kind").asText().equals("Namespace")) {
                    namespaces.add(o);
                }
            }
        }
        assertThat(namespaces).extracting(n -> n.at("/metadata/name").asText()).containsExactly(NAMESPACE);
        assertThat(namespaces.get(0).at("/metadata/annotations/kustomize.toolkit.fluxcd.io~1prune").asText())
                .isEqualTo("disabled");

        List<JsonNode> rendered = renderChart(omniiServer(Kustomize.build(OMNII_APP)));
        assertThat(Chart.ofKind(rendered, "PersistentVolumeClaim")).isEmpty();
        List<JsonNode> withClaims = Chart.ofKind(rendered, "StatefulSet").stream()
                .filter(s -> !s.at("/spec/volumeClaimTemplates").isMissingNode()).toList();
        assertThat(withClaims).hasSize(2);
        // Kubernetes' default keeps the claims when the StatefulSet goes (Helm's uninstall, Flux's prune).
        withClaims.forEach(s -> assertThat(
                s.at("/spec/persistentVolumeClaimRetentionPolicy/whenDeleted").asText("Retain"))
                .as(s.at("/metadata/name").asText()).isEqualTo("Retain"));
    }

    @Test
    void theOrderCheckRefusesACycleAndAnUnknownStep() {
        Map<String, List<String>> cycle = Map.of("a", List.of("b"), "b", List.of("a"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> topologicalOrder(cycle))
                .hasMessageContaining("cycle");
        Map<String, List<String>> unknown = Map.of("a", List.of("nowhere"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> topologicalOrder(unknown))
                .hasMessageContaining("nowhere");
    }

    @Test
    void eachKustomizationWaitsLongerThanTheHelmReleasesItApplies(@TempDir Path copy) throws Exception {
        List<JsonNode> kustomizations = fluxKustomizations(Kustomize.build(CLUSTER));
        Map<String, List<JsonNode>> applied = new HashMap<>();
        for (JsonNode k : kustomizations) {
            applied.put(k.at("/metadata/name").asText(), Kustomize.build(pathOf(k)));
        }
        // matterjs-server's first start waits longest: the same Kustomization must cover it.
        applied.put("matter-server", Kustomize.build(matterjsVariant(copy)));
        for (JsonNode k : kustomizations) {
            Duration timeout = duration(k.at("/spec/timeout").asText());
            for (JsonNode o : applied.get(k.at("/metadata/name").asText())) {
                if (o.path("kind").asText().equals("HelmRelease")) {
                    assertThat(timeout).as(o.at("/metadata/name").asText())
                            .isGreaterThan(duration(o.at("/spec/timeout").asText()));
                }
            }
        }
    }

    @Test
    void theSourceArtifactHoldsEverythingTheKustomizationsAndTheChartRead(@TempDir Path artifact,
            @TempDir Path copy) throws Exception {
        List<JsonNode> cluster = Kustomize.build(CLUSTER);
        SourceIgnore ignore = new SourceIgnore(
                Kustomize.one(cluster, "GitRepository", "omnii-server").at("/spec/ignore").asText());
        List<String> tracked = trackedFiles();
        // Flux honours .sourceignore files too: there are none to take into account.
        assertThat(tracked).noneMatch(f -> f.endsWith(".sourceignore"));
        for (String file : tracked) {
            if (!ignore.excludes(file)) {
                Files.createDirectories(artifact.resolve(file).getParent());
                Files.copy(Path.of(file), artifact.resolve(file));
            }
        }
        for (JsonNode kustomization : fluxKustomizations(cluster)) {
            Path path = pathOf(kustomization);
            assertThat(Kustomize.build(artifact.resolve(path.toString()))).as(path.toString())
                    .isEqualTo(Kustomize.build(path));
        }
        // The chart, for the clusters that install it from git (components/chart-from-git).
        String chart = omniiServer(Kustomize.build(chartFromGitVariant(copy))).at("/spec/chart/spec/chart").asText()
                .replaceFirst("^\\./", "");
        assertThat(tracked).filteredOn(f -> f.startsWith(chart + "/")).isNotEmpty()
                .allSatisfy(f -> assertThat(ignore.excludes(f)).as(f).isFalse());
        // What the release does not read stays out.
        assertThat(ignore.excludes("src/main/resources/application.properties")).isTrue();
        assertThat(ignore.excludes("README.md")).isTrue();
    }

    @Test
    void theIgnoreRulesOfTheFirstLayoutWouldHaveLeftTheKustomizationsOut() {
        SourceIgnore chartOnly = new SourceIgnore("/*\n!/charts/omnii-server/\n");
        assertThat(chartOnly.excludes("k8s/apps/home/omnii-server/kustomization.yaml")).isTrue();
        assertThat(chartOnly.excludes("charts/omnii-server/Chart.yaml")).isFalse();
        assertThat(chartOnly.excludes("charts/other/Chart.yaml")).isTrue();
        assertThat(new SourceIgnore("/k8s/\n!/k8s/apps/\n").excludes("k8s/apps/x/kustomization.yaml")).isFalse();
        assertThat(new SourceIgnore("/k8s/\n!/k8s/apps/\n").excludes("k8s/clusters/home/kustomization.yaml"))
                .isTrue();
        assertThat(new SourceIgnore("*.png\n").excludes("charts/omnii-server/icon.png")).isTrue();
    }

    @Test
    void bothReleasesUseFluxV2SourcesThatFluxAppliesBeforeThem() throws Exception {
        List<JsonNode> cluster = Kustomize.build(CLUSTER);
        List<JsonNode> omniiObjects = Kustomize.build(OMNII_APP);
        JsonNode omnii = omniiServer(omniiObjects);
        assertThat(omnii.path("apiVersion").asText()).isEqualTo("helm.toolkit.fluxcd.io/v2");
        JsonNode ref = omnii.at("/spec/chartRef");
        assertThat(ref.path("kind").asText()).isEqualTo("OCIRepository");
        JsonNode oci = Kustomize.one(omniiObjects, "OCIRepository", ref.path("name").asText());
        assertThat(oci.at("/metadata/namespace").asText()).isEqualTo(ref.path("namespace").asText());
        assertThat(omnii.at("/spec/chart").isMissingNode()).isTrue();
        // The Kustomizations' own source stays the Git repository.
        assertThat(cluster).filteredOn(o -> o.path("kind").asText().equals("GitRepository")).hasSize(1);

        List<JsonNode> matterObjects = Kustomize.build(MATTER_APP);
        JsonNode matter = matterServer(matterObjects);
        assertThat(matter.path("apiVersion").asText()).isEqualTo("helm.toolkit.fluxcd.io/v2");
        JsonNode matterRef = matter.at("/spec/chart/spec/sourceRef");
        JsonNode repository = Kustomize.one(matterObjects, matterRef.path("kind").asText(),
                matterRef.path("name").asText());
        assertThat(repository.at("/metadata/namespace").asText()).isEqualTo(matterRef.path("namespace").asText());
        assertThat(matter.at("/spec/chart/spec/chart").asText()).isEqualTo("home-assistant-matter-server");
        assertThat(matter.at("/spec/chart/spec/version").asText()).isEqualTo("3.3.0");
        for (JsonNode release : List.of(omnii, matter)) {
            assertThat(release.at("/metadata/namespace").asText()).isEqualTo(NAMESPACE);
            assertThat(release.at("/spec/driftDetection/mode").asText()).isEqualTo("enabled");
        }
    }

    @Test
    void omniiServerInstallsTheReleasedChartOnlyWhenTheReleaseWorkflowSignedIt() throws Exception {
        JsonNode oci = Kustomize.one(Kustomize.build(OMNII_APP), "OCIRepository", "omnii-server");
        // Where the release workflow pushes the chart (helm push to oci://$CHARTS).
        String charts = YAML.readTree(RELEASE_WORKFLOW.toFile()).at("/env/CHARTS").asText();
        assertThat(oci.at("/spec/url").asText()).isEqualTo("oci://" + charts + "/omnii-server");
        assertThat(oci.at("/spec/layerSelector/mediaType").asText())
                .isEqualTo("application/vnd.cncf.helm.chart.content.v1.tar+gzip");
        assertThat(oci.at("/spec/layerSelector/operation").asText()).isEqualTo("copy");

        // Keyless: the certificate names the workflow and the ref it ran for, as docs/release.md's cosign verify does.
        assertThat(oci.at("/spec/verify/provider").asText()).isEqualTo("cosign");
        assertThat(oci.at("/spec/verify/secretRef").isMissingNode()).isTrue();
        JsonNode identities = oci.at("/spec/verify/matchOIDCIdentity");
        assertThat(identities).hasSize(1);
        Pattern issuer = Pattern.compile(identities.at("/0/issuer").asText());
        Pattern subject = Pattern.compile(identities.at("/0/subject").asText());
        assertThat(issuer.matcher("https://token.actions.githubusercontent.com").matches()).isTrue();
        assertThat(issuer.matcher("https://token.actions.githubusercontent.com.example.org").matches()).isFalse();
        String workflow = "https://github.com/omnii/omnii-server/.github/workflows/release.yml@";
        assertThat(subject.matcher(workflow + "refs/tags/v0.2.0").matches()).isTrue();
        assertThat(subject.matcher(workflow + "refs/heads/main").matches()).as("a branch build").isFalse();
        assertThat(subject.matcher(workflow.replace("release.yml", "ci.yml") + "refs/tags/v0.2.0").matches())
                .as("another workflow").isFalse();
        assertThat(subject.matcher(workflow.replace("/omnii/", "/someone/") + "refs/tags/v0.2.0").matches())
                .as("a fork's release").isFalse();
        assertThat(RELEASE_WORKFLOW).content().contains(
                "identity=\"https://github.com/$GITHUB_REPOSITORY/.github/workflows/release.yml@$GITHUB_REF\"");

        // The range is the settings'; it admits the chart of this commit, so that tagging it deploys it.
        String range = YAML.readTree(SETTINGS.toFile()).at("/spec/omniiServerChartVersion").asText();
        assertThat(oci.at("/spec/ref/semver").asText()).isEqualTo(range);
        JsonNode chart = YAML.readTree(Chart.DIR.resolve("Chart.yaml").toFile());
        assertThat(admits(range, chart.path("version").asText())).as(range + " admits the chart's version "
                + chart.path("version").asText() + ": widen omniiServerChartVersion with a new minor version")
                .isTrue();

        // The release leaves the image to the chart: the one released with it (tag = appVersion).
        JsonNode release = omniiServer(Kustomize.build(OMNII_APP));
        assertThat(release.at("/spec/values/image").isMissingNode()).isTrue();
        assertThat(serverPod(renderChart(release)).at("/containers/0/image").asText())
                .isEqualTo("ghcr.io/omnii/omnii-server:" + chart.path("appVersion").asText());
    }

    @Test
    void theChartFromGitComponentInstallsThisRepositorysChartWithTheForksImage(@TempDir Path copy)
            throws Exception {
        List<JsonNode> cluster = Kustomize.build(CLUSTER);
        List<JsonNode> base = Kustomize.build(OMNII_APP);
        List<JsonNode> fromGit = Kustomize.build(chartFromGitVariant(copy));
        JsonNode release = omniiServer(fromGit);
        assertThat(release.at("/spec/chartRef").isMissingNode()).isTrue();
        assertThat(release.at("/spec/chart/spec/chart").asText()).isEqualTo("./" + Chart.DIR);
        assertThat(release.at("/spec/chart/spec/reconcileStrategy").asText()).isEqualTo("Revision");
        JsonNode ref = release.at("/spec/chart/spec/sourceRef");
        assertThat(ref.path("namespace").asText()).isEqualTo(FLUX_NAMESPACE);
        assertThat(Kustomize.one(cluster, ref.path("kind").asText(), ref.path("name").asText()).path("kind").asText())
                .isEqualTo("GitRepository");
        assertThat(fromGit).noneMatch(o -> o.path("kind").asText().equals("OCIRepository"));
        // Not the default image, which exists only for released versions.
        String image = serverPod(renderChart(release)).at("/containers/0/image").asText();
        assertThat(image).startsWith("registry.example.com/you/omnii-server:");

        // Everything else is the base's.
        JsonNode baseRelease = omniiServer(base);
        ((ObjectNode) baseRelease.path("spec")).remove("chartRef");
        ((ObjectNode) release.path("spec")).remove("chart");
        ((ObjectNode) release.at("/spec/values")).remove("image");
        assertThat(release).isEqualTo(baseRelease);
        assertThat(fromGit).hasSize(base.size() - 1);
    }

    /** Whether a range of the two forms the settings take, "0.2.x" or an exact "0.2.1", admits a version. */
    static boolean admits(String range, String version) {
        assertThat(range).as("omniiServerChartVersion: X.Y.x or X.Y.Z").matches("\\d+\\.\\d+\\.(x|\\d+)");
        return range.endsWith(".x") ? version.matches(Pattern.quote(range.substring(0, range.length() - 1))
                + "\\d+") : version.equals(range);
    }

    @Test
    void driftCorrectionLeavesTheHandRotatedSecretsAlone() throws Exception {
        JsonNode ignore = omniiServer(Kustomize.build(OMNII_APP)).at("/spec/driftDetection/ignore");
        assertThat(ignore).hasSize(1);
        assertThat(ignore.at("/0/paths")).extracting(JsonNode::asText).containsExactly("/data");
        assertThat(ignore.at("/0/target/kind").asText()).isEqualTo("Secret");
        assertThat(matterServer(Kustomize.build(MATTER_APP)).at("/spec/driftDetection/ignore").isMissingNode())
                .isTrue();
    }

    @Test
    void secretsComeFromASopsEncryptedSecretThatIsNotCommittedInTheClear() throws Exception {
        JsonNode kustomization = Kustomize.one(Kustomize.build(CLUSTER), "Kustomization", "omnii-server");
        assertThat(kustomization.at("/spec/decryption/provider").asText()).isEqualTo("sops");
        assertThat(kustomization.at("/spec/decryption/secretRef/name").asText()).isEqualTo("sops-age");

        List<JsonNode> applied = Kustomize.build(OMNII_APP);
        JsonNode valuesFrom = omniiServer(applied).at("/spec/valuesFrom");
        assertThat(valuesFrom).hasSize(1);
        assertThat(valuesFrom.at("/0/kind").asText()).isEqualTo("Secret");
        assertThat(valuesFrom.at("/0/valuesKey").asText()).isEqualTo("values.yaml");
        // A cluster without the Secret still installs, with generated secrets.
        assertThat(valuesFrom.at("/0/optional").asBoolean()).isTrue();
        // The example is never applied: no Secret at all is, in the clear.
        assertThat(Chart.ofKind(applied, "Secret")).isEmpty();

        JsonNode example = YAML.readTree(K8S.resolve("apps/base/omnii-server/secrets.example.yaml").toFile());
        assertThat(example.at("/metadata/name").asText()).isEqualTo(valuesFrom.at("/0/name").asText());
        assertThat(example.at("/metadata/namespace").asText()).isEqualTo(NAMESPACE);
        String values = example.at("/stringData/values.yaml").asText();
        // The chart takes what the example holds (its schema refuses unknown keys), and every value is a placeholder.
        Path file = Files.createTempFile("example-values", ".yaml");
        Files.writeString(file, values.replaceAll("\"<[^\"]*>\"", "\"0123456789abcdef0123\""));
        assertThat(Chart.render(file)).isNotEmpty();
        JsonNode tree = YAML.readTree(values);
        assertThat(tree.at("/admin/token").asText()).startsWith("<");
        assertThat(tree.at("/postgresql/password").asText()).startsWith("<");
    }

    @Test
    void theMatterServerRunsAsTheGuideDescribes() throws Exception {
        JsonNode values = matterServer(Kustomize.build(MATTER_APP)).at("/spec/values");
        assertThat(values.path("networkInterface").asText()).isEqualTo("enp3s0f0");
        assertThat(values.at("/bluetoothCommissioning/enabled").isBoolean()).isTrue();
        assertThat(values.at("/bluetoothCommissioning/enabled").asBoolean()).isTrue();
        assertThat(values.at("/persistence/storageClassName").asText()).isEqualTo("longhorn");
        assertThat(values.at("/persistence/size").asText()).isEqualTo("5Gi");
        // python-matter-server 8.0.0, the guide's version, from where that version was published.
        assertThat(values.at("/image/repository").asText()).isEqualTo("ghcr.io/home-assistant-libs/python-matter-server");
        assertThat(values.at("/image/tag").asText()).isEqualTo("8.0.0");
        assertThat(values.path("nameOverride").asText()).isEqualTo("matter-server");
        assertThat(values.at("/service/port").asInt()).isEqualTo(5580);
        assertThat(values.at("/nodeSelector/kubernetes.io~1hostname").asText()).isEqualTo("mac-mini");
        assertThat(values.at("/resources/requests/memory").asText()).isEqualTo("256Mi");
        assertThat(values.at("/resources/limits/memory").asText()).isEqualTo("1Gi");
    }

    @Test
    void theMatterServerIsGivenTheSettingsBluetoothAdapterInPlaceOfTheChartsSecond() throws Exception {
        JsonNode release = matterServer(Kustomize.build(MATTER_APP));
        // The chart's args with both log levels empty: ... /data/credentials --bluetooth-adapter <n> ...
        assertThat(release.at("/spec/values/log/logLevel").asText()).isEmpty();
        assertThat(release.at("/spec/values/log/logLevelSDK").asText()).isEmpty();
        JsonNode patches = release.at("/spec/postRenderers/0/kustomize/patches");
        assertThat(patches).hasSize(1);
        assertThat(patches.at("/0/target/kind").asText()).isEqualTo("StatefulSet");
        assertThat(patches.at("/0/target/name").asText())
                .isEqualTo(release.at("/spec/values/fullnameOverride").asText());
        JsonNode ops = YAML.readTree(patches.at("/0/patch").asText());
        assertThat(ops).hasSize(2);
        assertThat(ops.at("/0/op").asText()).isEqualTo("test");
        assertThat(ops.at("/0/path").asText()).isEqualTo("/spec/template/spec/containers/0/args/4");
        assertThat(ops.at("/0/value").asText()).isEqualTo("--bluetooth-adapter");
        assertThat(ops.at("/1/op").asText()).isEqualTo("replace");
        assertThat(ops.at("/1/path").asText()).isEqualTo("/spec/template/spec/containers/0/args/5");
        // hci0, the Mac mini's one adapter; a string, as args are.
        assertThat(ops.at("/1/value").isTextual()).isTrue();
        assertThat(ops.at("/1/value").asText()).isEqualTo("0");
    }

    @Test
    void thePostRendererGivesTheMatterServerTheSettingsAdapterWithBluetoothOnAndOff(@TempDir Path copy)
            throws Exception {
        List<String> expected = List.of("--storage-path", "/data", "--paa-root-cert-dir", "/data/credentials",
                "--bluetooth-adapter", "0", "--primary-interface", "enp3s0f0");
        // As committed (Bluetooth on: the chart says 1), and with matterjs-server, which takes the same options.
        for (JsonNode release : List.of(matterServer(Kustomize.build(MATTER_APP)),
                matterServer(Kustomize.build(matterjsVariant(copy.resolve("matterjs")))))) {
            JsonNode values = release.at("/spec/values");
            assertThat(matterChartArgs(values)).contains("1");
            assertThat(postRendered(release, matterChartStatefulSet(values), copy.resolve("on")))
                    .containsExactlyElementsOf(expected);
        }

        // Bluetooth off and another adapter: the chart says 0, the settings' adapter takes its place.
        copyTree(K8S, copy.resolve("off"));
        Path settingsFile = copy.resolve("off").resolve(K8S.relativize(SETTINGS).toString());
        ObjectNode settings = (ObjectNode) YAML.readTree(settingsFile.toFile());
        ((ObjectNode) settings.path("spec")).put("bluetooth", false).put("bluetoothAdapter", "2")
                .put("networkInterface", "eth1");
        YAML.writeValue(settingsFile.toFile(), settings);
        JsonNode off = matterServer(Kustomize.build(copy.resolve("off/apps/home/matter-server")));
        assertThat(postRendered(off, matterChartStatefulSet(off.at("/spec/values")), copy.resolve("off-rendered")))
                .containsExactly("--storage-path", "/data", "--paa-root-cert-dir", "/data/credentials",
                        "--bluetooth-adapter", "2", "--primary-interface", "eth1");
    }

    @Test
    void thePostRendererFailsTheReleaseWhenTheChartMovesTheAdapterArgument(@TempDir Path dir) throws Exception {
        JsonNode release = matterServer(Kustomize.build(MATTER_APP));
        // A log level in the values puts two arguments before --bluetooth-adapter.
        ObjectNode withLogLevel = release.at("/spec/values").deepCopy();
        ((ObjectNode) withLogLevel.path("log")).put("logLevel", "debug");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> postRendered(release, matterChartStatefulSet(withLogLevel), dir.resolve("log")))
                .hasMessageContaining("testing value /spec/template/spec/containers/0/args/4 failed");
        // A chart version without --paa-root-cert-dir (4.0.0 dropped it) moves it two places forward.
        ObjectNode statefulSet = matterChartStatefulSet(release.at("/spec/values"));
        ArrayNode args = (ArrayNode) statefulSet.at("/spec/template/spec/containers/0/args");
        args.remove(3);
        args.remove(2);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> postRendered(release, statefulSet, dir.resolve("paa")))
                .hasMessageContaining("testing value /spec/template/spec/containers/0/args/4 failed");
    }

    @Test
    void noValueOfTheMatterServerReleaseIsOneItsChartIgnores() throws Exception {
        for (JsonNode release : List.of(matterServer(Kustomize.build(MATTER_APP)),
                matterServer(Kustomize.build(matterjsVariant(Files.createTempDirectory("matterjs")))))) {
            List<String> unknown = new ArrayList<>();
            leaves(release.at("/spec/values"), "", new ArrayList<>(), unknown);
            assertThat(unknown).as("values the chart's template never reads").isEmpty();
        }
    }

    @Test
    void theUnknownValueCheckFindsTheValuesTheChartHardCodes() throws Exception {
        JsonNode values = YAML.readTree("hostNetwork: true\ndnsPolicy: ClusterFirstWithHostNet\n"
                + "securityContext: {privileged: true}\nimage: {tag: x}\nresources: {limits: {memory: 1Gi}}\n");
        List<String> unknown = new ArrayList<>();
        leaves(values, "", new ArrayList<>(), unknown);
        assertThat(unknown).containsExactlyInAnyOrder("hostNetwork", "dnsPolicy", "securityContext.privileged");
    }

    @Test
    void omniiServerRunsBesideTheMatterServerOnItsNode() throws Exception {
        JsonNode matter = matterServer(Kustomize.build(MATTER_APP));
        JsonNode release = omniiServer(Kustomize.build(OMNII_APP));
        assertThat(release.at("/metadata/namespace").asText()).isEqualTo(matter.at("/metadata/namespace").asText());

        List<JsonNode> rendered = renderChart(release);
        JsonNode pod = serverPod(rendered);
        assertThat(pod.path("hostNetwork").asBoolean()).isTrue();
        assertThat(pod.path("dnsPolicy").asText()).isEqualTo("ClusterFirstWithHostNet");
        assertThat(pod.at("/nodeSelector/kubernetes.io~1hostname").asText())
                .isEqualTo(matter.at("/spec/values/nodeSelector/kubernetes.io~1hostname").asText());
        JsonNode affinity = pod.at("/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/0");
        assertThat(affinity.path("topologyKey").asText()).isEqualTo("kubernetes.io/hostname");
        // The Matter Server chart labels its pods app.kubernetes.io/name=<nameOverride>.
        assertThat(YAML.convertValue(affinity.at("/labelSelector/matchLabels"), Map.class))
                .isEqualTo(Map.of("app.kubernetes.io/name", matter.at("/spec/values/nameOverride").asText()));
        assertThat(env(pod, "OMNII_MATTER_URL")).isEqualTo("ws://localhost:5580/ws");

        JsonNode claim = Chart.one(rendered, "StatefulSet", "database").at("/spec/volumeClaimTemplates/0/spec");
        assertThat(claim.path("storageClassName").asText()).isEqualTo("longhorn");
        assertThat(claim.at("/resources/requests/storage").asText()).isEqualTo("5Gi");
        assertThat(Chart.ofKind(rendered, "PrometheusRule")).hasSize(1);
    }

    @Test
    void theHomesReachTheBundledBrokerThroughALoadBalancerAtTheSettingsAddress() throws Exception {
        List<JsonNode> rendered = renderChart(omniiServer(Kustomize.build(OMNII_APP)));
        JsonNode claim = Chart.one(rendered, "StatefulSet", "broker").at("/spec/volumeClaimTemplates/0/spec");
        assertThat(claim.path("storageClassName").asText()).isEqualTo("longhorn");
        assertThat(claim.at("/resources/requests/storage").asText()).isEqualTo("1Gi");
        assertThat(Chart.ofKind(rendered, "Service")).filteredOn(s -> s.at("/spec/type").asText().equals("LoadBalancer"))
                .extracting(s -> s.at("/metadata/labels/app.kubernetes.io~1component").asText())
                .containsExactly("broker");
        JsonNode pod = serverPod(rendered);
        assertThat(env(pod, "OMNII_MQTT_INSTANCE_BROKER_URL")).isEqualTo("mqtt://mqtt.example.com:1883");
        assertThat(env(pod, "OMNII_MQTT_PROVISIONING_MODE")).isEqualTo("mosquitto-dynsec");
    }

    @Test
    void everySettingReachesTheReleasesThatUseIt(@TempDir Path copy) throws Exception {
        Path matterjsApp = matterjsVariant(copy.resolve("matterjs"));
        copyTree(K8S, copy.resolve("python"));
        for (Path root : List.of(copy.resolve("python"), copy.resolve("matterjs"))) {
            Path settingsFile = root.resolve(K8S.relativize(SETTINGS).toString());
            ObjectNode settings = (ObjectNode) YAML.readTree(settingsFile.toFile());
            ((ObjectNode) settings.path("spec")).put("node", "rpi-5").put("networkInterface", "eth1")
                    .put("bluetooth", false).put("bluetoothAdapter", "2").put("storageClassName", "local-path")
                    .put("matterServerVolumeSize", "2Gi").put("databaseVolumeSize", "8Gi")
                    .put("brokerVolumeSize", "3Gi").put("brokerUrl", "mqtts://broker.example.org:8883");
            YAML.writeValue(settingsFile.toFile(), settings);
        }

        for (Path matterApp : List.of(copy.resolve("python/apps/home/matter-server"), matterjsApp)) {
            List<JsonNode> matterObjects = Kustomize.build(matterApp);
            JsonNode release = matterServer(matterObjects);
            JsonNode matter = release.at("/spec/values");
            assertThat(matter.path("networkInterface").asText()).isEqualTo("eth1");
            // A boolean, not the string "false", which the chart's `if` would take for true.
            assertThat(matter.at("/bluetoothCommissioning/enabled").isBoolean()).isTrue();
            assertThat(matter.at("/bluetoothCommissioning/enabled").asBoolean()).isFalse();
            assertThat(YAML.readTree(release.at("/spec/postRenderers/0/kustomize/patches/0/patch").asText())
                    .at("/1/value").asText()).isEqualTo("2");
            assertThat(matter.at("/nodeSelector/kubernetes.io~1hostname").asText()).isEqualTo("rpi-5");
            assertThat(matter.at("/persistence/storageClassName").asText()).isEqualTo("local-path");
            assertThat(matter.at("/persistence/size").asText()).isEqualTo("2Gi");
            // No copy of an old value hides anywhere else.
            assertThat(YAML.writeValueAsString(matterObjects)).doesNotContain("mac-mini", "enp3s0f0", "longhorn",
                    "5Gi");
        }

        List<JsonNode> omniiObjects = Kustomize.build(copy.resolve("python/apps/home/omnii-server"));
        List<JsonNode> rendered = renderChart(omniiServer(omniiObjects));
        JsonNode pod = serverPod(rendered);
        assertThat(pod.at("/nodeSelector/kubernetes.io~1hostname").asText()).isEqualTo("rpi-5");
        JsonNode claim = Chart.one(rendered, "StatefulSet", "database").at("/spec/volumeClaimTemplates/0/spec");
        assertThat(claim.path("storageClassName").asText()).isEqualTo("local-path");
        assertThat(claim.at("/resources/requests/storage").asText()).isEqualTo("8Gi");
        JsonNode brokerClaim = Chart.one(rendered, "StatefulSet", "broker").at("/spec/volumeClaimTemplates/0/spec");
        assertThat(brokerClaim.path("storageClassName").asText()).isEqualTo("local-path");
        assertThat(brokerClaim.at("/resources/requests/storage").asText()).isEqualTo("3Gi");
        assertThat(env(pod, "OMNII_MQTT_INSTANCE_BROKER_URL")).isEqualTo("mqtts://broker.example.org:8883");
        assertThat(YAML.writeValueAsString(omniiObjects)).doesNotContain("mac-mini", "longhorn", "5Gi", "1Gi",
                "mqtt.example.com");
    }

    @Test
    void theMatterjsComponentSwitchesTheImageAndGivesItsFirstStartTimeWithoutRollingBack(@TempDir Path copy)
            throws Exception {
        List<JsonNode> base = Kustomize.build(MATTER_APP);
        List<JsonNode> matterjs = Kustomize.build(matterjsVariant(copy));
        JsonNode release = matterServer(matterjs);
        assertThat(release.at("/spec/values/image/repository").asText()).isEqualTo("ghcr.io/matter-js/matterjs-server");
        assertThat(release.at("/spec/values/image/tag").asText()).isEqualTo("1.4.1");
        // A startup probe rather than a long liveness delay: up to 20 minutes of migration, within Helm's wait.
        JsonNode startup = release.at("/spec/values/startupProbe");
        Duration startupWindow = Duration.ofSeconds(
                (long) startup.path("periodSeconds").asInt() * startup.path("failureThreshold").asInt());
        assertThat(startupWindow).isEqualTo(Duration.ofMinutes(20));
        assertThat(duration(release.at("/spec/timeout").asText())).isGreaterThan(startupWindow);
        assertThat(release.at("/spec/values/livenessProbe").isMissingNode()).isTrue();
        // No rollback to python-matter-server, which cannot read the migrated storage.
        assertThat(release.at("/spec/upgrade/remediation/retries").asInt()).isZero();

        // Everything else, settings included, is the base's.
        for (List<JsonNode> objects : List.of(base, matterjs)) {
            JsonNode matter = matterServer(objects);
            ((ObjectNode) matter.path("spec")).remove("timeout");
            ((ObjectNode) matter.at("/spec/upgrade/remediation")).remove("retries");
            ((ObjectNode) matter.at("/spec/values")).remove(List.of("image", "startupProbe"));
        }
        assertThat(matterjs).containsExactlyInAnyOrderElementsOf(base);
    }

    /**
     * The StatefulSet chart home-assistant-matter-server 3.3.0 renders for these values, reduced to what the
     * post-renderer touches: written from our reading of its templates/statefulset.yaml (see MATTER_CHART_VALUES),
     * not copied. Its args, in the order the template emits them: --storage-path /data --paa-root-cert-dir
     * /data/credentials, then --log-level and --log-level-sdk when set, --bluetooth-adapter "1" when Bluetooth
     * commissioning is enabled else "0", and --primary-interface when networkInterface is set.
     */
    static ObjectNode matterChartStatefulSet(JsonNode values) {
        ObjectNode statefulSet = YAML.createObjectNode().put("apiVersion", "apps/v1").put("kind", "StatefulSet");
        statefulSet.putObject("metadata").put("name", values.path("fullnameOverride").asText());
        ObjectNode container = statefulSet.putObject("spec").putObject("template").putObject("spec")
                .putArray("containers").addObject().put("name", "home-assistant-matter-server")
                .put("image", values.at("/image/repository").asText() + ":" + values.at("/image/tag").asText());
        matterChartArgs(values).forEach(container.putArray("args")::add);
        return statefulSet;
    }

    private static List<String> matterChartArgs(JsonNode values) {
        List<String> args = new ArrayList<>(List.of("--storage-path", "/data", "--paa-root-cert-dir",
                "/data/credentials"));
        if (!values.at("/log/logLevel").asText().isEmpty()) {
            args.addAll(List.of("--log-level", values.at("/log/logLevel").asText()));
        }
        if (!values.at("/log/logLevelSDK").asText().isEmpty()) {
            args.addAll(List.of("--log-level-sdk", values.at("/log/logLevelSDK").asText()));
        }
        args.addAll(List.of("--bluetooth-adapter",
                values.at("/bluetoothCommissioning/enabled").asBoolean() ? "1" : "0"));
        if (!values.path("networkInterface").asText().isEmpty()) {
            args.addAll(List.of("--primary-interface", values.path("networkInterface").asText()));
        }
        return args;
    }

    /**
     * The release's post-renderers applied to what the chart rendered, as Flux does: each a kustomize build of the
     * previous output with its patches as the HelmRelease holds them. The first container's args after the last.
     */
    static List<String> postRendered(JsonNode release, JsonNode rendered, Path dir) throws Exception {
        JsonNode current = rendered;
        int pass = 0;
        for (JsonNode postRenderer : release.at("/spec/postRenderers")) {
            Path passDir = Files.createDirectories(dir.resolve("pass-" + pass++));
            YAML.writeValue(passDir.resolve("rendered.yaml").toFile(), current);
            ObjectNode kustomization = YAML.createObjectNode()
                    .put("apiVersion", "kustomize.config.k8s.io/v1beta1").put("kind", "Kustomization");
            kustomization.putArray("resources").add("rendered.yaml");
            kustomization.set("patches", postRenderer.at("/kustomize/patches"));
            YAML.writeValue(passDir.resolve("kustomization.yaml").toFile(), kustomization);
            current = Kustomize.one(Kustomize.build(passDir), "StatefulSet",
                    rendered.at("/metadata/name").asText());
        }
        assertThat(pass).as("post-renderers").isPositive();
        List<String> args = new ArrayList<>();
        current.at("/spec/template/spec/containers/0/args").forEach(a -> args.add(a.asText()));
        return args;
    }

    /** Kustomization names in the order Flux applies them; fails on a cycle or a dependency that is not there. */
    static List<String> topologicalOrder(Map<String, List<String>> dependsOn) {
        List<String> order = new ArrayList<>();
        Set<String> visiting = new TreeSet<>();
        for (String name : new TreeSet<>(dependsOn.keySet())) {
            visit(name, dependsOn, visiting, order);
        }
        return order;
    }

    private static void visit(String name, Map<String, List<String>> dependsOn, Set<String> visiting,
            List<String> order) {
        if (order.contains(name)) {
            return;
        }
        if (!dependsOn.containsKey(name)) {
            throw new AssertionError("dependsOn names " + name + ", which the cluster does not apply");
        }
        if (!visiting.add(name)) {
            throw new AssertionError("dependsOn has a cycle through " + name);
        }
        for (String dependency : dependsOn.get(name)) {
            visit(dependency, dependsOn, visiting, order);
        }
        visiting.remove(name);
        order.add(name);
    }

    /** Collects the dotted paths of a values tree's leaves, and those the Matter Server's chart never reads. */
    private static void leaves(JsonNode node, String prefix, List<String> all, List<String> unknown) {
        // A key the chart reads takes whatever lies below it (resources, nodeSelector, a probe).
        if (!prefix.isEmpty() && MATTER_CHART_VALUES.contains(prefix)) {
            all.add(prefix);
            return;
        }
        if (node.isObject() && !node.isEmpty()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                leaves(field.getValue(), prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), all,
                        unknown);
            }
            return;
        }
        all.add(prefix);
        unknown.add(prefix);
    }

    private static Duration duration(String flux) {
        assertThat(flux).as("a Flux duration such as 10m or 1h").matches("\\d+[smh]");
        long amount = Long.parseLong(flux.substring(0, flux.length() - 1));
        return switch (flux.charAt(flux.length() - 1)) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    private static List<String> trackedFiles() throws IOException, InterruptedException {
        Process git = new ProcessBuilder("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard").redirectErrorStream(true).start();
        String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(git.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(git.exitValue()).as(out).isZero();
        List<String> files = new ArrayList<>();
        for (String file : out.split("\0")) {
            // Files this working tree has staged for removal are listed but gone.
            if (!file.isEmpty() && Files.isRegularFile(Path.of(file))) {
                files.add(file);
            }
        }
        return files;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }
}
