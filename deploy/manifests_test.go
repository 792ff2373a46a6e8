package deploy

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"

	"creditwater/config"
	"creditwater/letter"
)

// kustomization is the part of kustomize's Kustomization the manifests use;
// decoding it strictly refuses any other field.
type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace"`
	Resources  []string `json:"resources"`
	Images     []struct {
		Name    string `json:"name"`
		NewName string `json:"newName,omitempty"`
		NewTag  string `json:"newTag,omitempty"`
	} `json:"images"`
}

// manifests are the objects of deploy/k8s, each decoded strictly.
type manifests struct {
	kust       kustomization
	namespace  corev1.Namespace
	configMap  corev1.ConfigMap
	secret     corev1.Secret
	deployment appsv1.Deployment
	service    corev1.Service
	hpa        autoscalingv2.HorizontalPodAutoscaler
	pdb        policyv1.PodDisruptionBudget
	job        batchv1.Job
}

// The placeholder marker every value of secret.yaml carries.
const placeholder = "CHANGE-ME"

// MariaDB's default max_connections: every pod the HPA may run, plus the
// migrate Job, must fit in it.
const mariaDBMaxConnections = 151

// load decodes every manifest of deploy/k8s into its k8s.io/api type. Each
// file is one object whose apiVersion and kind are the type's.
func load(t *testing.T) manifests {
	t.Helper()
	var m manifests
	decodeStrict(t, "k8s/kustomization.yaml", &m.kust)
	files := map[string]struct {
		obj              any
		apiVersion, kind string
	}{
		"namespace.yaml":   {&m.namespace, "v1", "Namespace"},
		"configmap.yaml":   {&m.configMap, "v1", "ConfigMap"},
		"secret.yaml":      {&m.secret, "v1", "Secret"},
		"deployment.yaml":  {&m.deployment, "apps/v1", "Deployment"},
		"service.yaml":     {&m.service, "v1", "Service"},
		"hpa.yaml":         {&m.hpa, "autoscaling/v2", "HorizontalPodAutoscaler"},
		"pdb.yaml":         {&m.pdb, "policy/v1", "PodDisruptionBudget"},
		"migrate-job.yaml": {&m.job, "batch/v1", "Job"},
	}
	for name, f := range files {
		decodeStrict(t, filepath.Join("k8s", name), f.obj)
		tm := reflect.ValueOf(f.obj).Elem().FieldByName("TypeMeta").Interface().(metav1.TypeMeta)
		if tm.APIVersion != f.apiVersion || tm.Kind != f.kind {
			t.Errorf("%s: %s %s, want %s %s", name, tm.APIVersion, tm.Kind, f.apiVersion, f.kind)
		}
	}
	// The kustomization lists exactly these files.
	var listed []string
	for name := range files {
		listed = append(listed, name)
	}
	slices.Sort(listed)
	got := slices.Sorted(slices.Values(m.kust.Resources))
	if !slices.Equal(got, listed) {
		t.Errorf("kustomization.yaml resources %v, want %v", got, listed)
	}
	entries, err := os.ReadDir("k8s")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, known := files[e.Name()]; !known && e.Name() != "kustomization.yaml" {
			t.Errorf("k8s/%s is neither decoded by this test nor the kustomization", e.Name())
		}
	}
	return m
}

// decodeStrict decodes the YAML file into obj, refusing unknown and
// duplicate fields (sigs.k8s.io/yaml.UnmarshalStrict), and checks that
// encoding obj again keeps every field of the file with its value — JSON
// field matching is case-insensitive; Kubernetes' is not.
func decodeStrict(t *testing.T, path string, obj any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "\n---") {
		t.Fatalf("%s: one object per file", path)
	}
	if err := yaml.UnmarshalStrict(raw, obj); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var orig, again any
	if err := yaml.Unmarshal(raw, &orig); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &again); err != nil {
		t.Fatal(err)
	}
	if p := lost(orig, again, ""); p != "" {
		t.Errorf("%s: %s does not survive decoding into %T (misspelt field or non-canonical value?)", path, p, obj)
	}
}

// lost returns the path of the first field or value of orig that is not the
// same in again, or "".
func lost(orig, again any, path string) string {
	switch o := orig.(type) {
	case map[string]any:
		a, ok := again.(map[string]any)
		if !ok {
			return path
		}
		for k, v := range o {
			if p := lost(v, a[k], path+"."+k); p != "" {
				return p
			}
		}
	case []any:
		a, ok := again.([]any)
		if !ok || len(a) != len(o) {
			return path
		}
		for i := range o {
			if p := lost(o[i], a[i], path+"["+strconv.Itoa(i)+"]"); p != "" {
				return p
			}
		}
	default:
		if !reflect.DeepEqual(orig, again) {
			return path
		}
	}
	return ""
}

// issue 14: the kustomization applies every object into one namespace,
// which each file also names (so that `kubectl apply -f` of one file works),
// and sets the image tag the Deployment and the Job both use.
func TestManifestsDecodeStrictlyIntoOneNamespace(t *testing.T) {
	m := load(t)
	ns := m.namespace.Name
	if ns == "" || m.kust.Namespace != ns {
		t.Errorf("kustomization namespace %q, Namespace object %q", m.kust.Namespace, ns)
	}
	for _, o := range []metav1.ObjectMeta{m.configMap.ObjectMeta, m.secret.ObjectMeta, m.deployment.ObjectMeta,
		m.service.ObjectMeta, m.hpa.ObjectMeta, m.pdb.ObjectMeta, m.job.ObjectMeta} {
		if o.Namespace != ns {
			t.Errorf("%s is in namespace %q, want %q", o.Name, o.Namespace, ns)
		}
	}
	image := serverContainer(t, m).Image
	if got := onlyContainer(t, m.job.Spec.Template.Spec).Image; got != image {
		t.Errorf("the migrate Job runs %s, the Deployment %s", got, image)
	}
	repo, tag, ok := strings.Cut(image, ":")
	if !ok || tag == "" || tag == "latest" || strings.Contains(tag, "/") {
		t.Errorf("image %q: want an explicit tag other than latest", image)
	}
	if len(m.kust.Images) != 1 || m.kust.Images[0].Name != repo || m.kust.Images[0].NewTag != tag {
		t.Errorf("kustomization images %+v, want one entry for %s with tag %s", m.kust.Images, repo, tag)
	}
}

// issue 14: startup and liveness probes ask /healthz, readiness /readyz
// (server/server.go's routes), on the container port the Service targets,
// which is the port of CW_HTTP_ADDR and the one the image exposes.
func TestDeploymentProbesOnServicePort(t *testing.T) {
	m := load(t)
	c := serverContainer(t, m)
	if len(m.service.Spec.Ports) != 1 {
		t.Fatalf("service ports %+v, want one", m.service.Spec.Ports)
	}
	target := m.service.Spec.Ports[0].TargetPort.String()
	port := containerPort(c, target)
	if port == 0 {
		t.Fatalf("the Service targets port %q, which container %s does not name", target, c.Name)
	}
	_, httpPort, err := net.SplitHostPort(m.configMap.Data["CW_HTTP_ADDR"])
	if err != nil || httpPort != strconv.Itoa(int(port)) {
		t.Errorf("CW_HTTP_ADDR %q, container port %s is %d", m.configMap.Data["CW_HTTP_ADDR"], target, port)
	}
	if exposed := instructionArgs(parseContainerfile(t), "EXPOSE"); !slices.Contains(exposed, strconv.Itoa(int(port))) {
		t.Errorf("Containerfile EXPOSE %v, want %d", exposed, port)
	}
	for _, p := range []struct {
		name  string
		probe *corev1.Probe
		path  string
	}{{"startupProbe", c.StartupProbe, "/healthz"}, {"readinessProbe", c.ReadinessProbe, "/readyz"}, {"livenessProbe", c.LivenessProbe, "/healthz"}} {
		if p.probe == nil || p.probe.HTTPGet == nil {
			t.Errorf("%s: want an httpGet probe", p.name)
			continue
		}
		if p.probe.HTTPGet.Path != p.path || p.probe.HTTPGet.Port.String() != target {
			t.Errorf("%s asks %s on port %s, want %s on %s", p.name, p.probe.HTTPGet.Path, p.probe.HTTPGet.Port.String(), p.path, target)
		}
	}
	// /readyz pings the database and Redis within 2 s (server/http.go);
	// the probe must wait longer than that to see its answer.
	if c.ReadinessProbe != nil && c.ReadinessProbe.TimeoutSeconds <= 2 {
		t.Errorf("readinessProbe timeoutSeconds %d, want more than /readyz's 2 s", c.ReadinessProbe.TimeoutSeconds)
	}
}

// issue 14: every container has CPU and memory requests and limits, runs
// as the image's non-root user on a read-only root filesystem with no
// privilege escalation and no capabilities; what it writes goes to
// emptyDir volumes.
func TestContainersBoundedAndUnprivileged(t *testing.T) {
	m := load(t)
	uid := imageUID(t)
	for _, pod := range []struct {
		name string
		spec corev1.PodSpec
	}{{"deployment", m.deployment.Spec.Template.Spec}, {"migrate job", m.job.Spec.Template.Spec}} {
		sc := pod.spec.SecurityContext
		if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser != uid ||
			sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
			t.Errorf("%s: pod securityContext %+v, want runAsNonRoot, runAsUser %d (the image's USER), seccomp RuntimeDefault", pod.name, sc, uid)
		}
		if pod.spec.AutomountServiceAccountToken == nil || *pod.spec.AutomountServiceAccountToken {
			t.Errorf("%s: the server needs no Kubernetes API token; set automountServiceAccountToken: false", pod.name)
		}
		emptyDirs := map[string]bool{}
		for _, v := range pod.spec.Volumes {
			emptyDirs[v.Name] = v.EmptyDir != nil
		}
		for _, c := range pod.spec.Containers {
			for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
				req, hasReq := c.Resources.Requests[r]
				limit, hasLimit := c.Resources.Limits[r]
				if !hasReq || !hasLimit || req.IsZero() || req.Cmp(limit) > 0 {
					t.Errorf("%s/%s: %s request %v limit %v, want both, request ≤ limit", pod.name, c.Name, r, req.String(), limit.String())
				}
			}
			csc := c.SecurityContext
			if csc == nil || csc.ReadOnlyRootFilesystem == nil || !*csc.ReadOnlyRootFilesystem ||
				csc.AllowPrivilegeEscalation == nil || *csc.AllowPrivilegeEscalation ||
				csc.Capabilities == nil || !slices.Equal(csc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
				t.Errorf("%s/%s: securityContext %+v, want readOnlyRootFilesystem, no privilege escalation, drop ALL", pod.name, c.Name, csc)
			}
			for _, vm := range c.VolumeMounts {
				if !emptyDirs[vm.Name] {
					t.Errorf("%s/%s: mount %s is not an emptyDir volume", pod.name, c.Name, vm.Name)
				}
			}
		}
	}
	// The Go heap's soft limit stays below the memory limit.
	c := serverContainer(t, m)
	limit := c.Resources.Limits[corev1.ResourceMemory]
	var gomemlimit string
	for _, e := range c.Env {
		if e.Name == "GOMEMLIMIT" {
			gomemlimit = e.Value
		}
	}
	q, err := resource.ParseQuantity(strings.TrimSuffix(gomemlimit, "B")) // Go's MiB is Kubernetes' Mi
	if err != nil || q.Cmp(limit) >= 0 {
		t.Errorf("GOMEMLIMIT %q, want a size below the memory limit %s", gomemlimit, limit.String())
	}
	// The server writes uploads to the temp dir.
	if !slices.ContainsFunc(c.VolumeMounts, func(vm corev1.VolumeMount) bool { return vm.MountPath == "/tmp" }) {
		t.Errorf("%s: no writable /tmp for multipart uploads", c.Name)
	}
}

// issue 14: the HPA scales the Deployment (which leaves the replica count
// to it) on CPU, which the pods request; the PDB and the Service select the
// Deployment's pods; a drain leaves a pod serving; the pods' database pools
// fit MariaDB's default connection limit.
func TestScalingObjectsMatchTheDeployment(t *testing.T) {
	m := load(t)
	d := m.deployment
	ref := m.hpa.Spec.ScaleTargetRef
	if ref.APIVersion != "apps/v1" || ref.Kind != "Deployment" || ref.Name != d.Name {
		t.Errorf("HPA targets %+v, want apps/v1 Deployment %s", ref, d.Name)
	}
	if d.Spec.Replicas != nil {
		t.Errorf("the Deployment sets replicas; the HPA owns the count (an apply would reset it)")
	}
	minR, maxR := m.hpa.Spec.MinReplicas, m.hpa.Spec.MaxReplicas
	if minR == nil || *minR < 2 || *minR > maxR {
		t.Fatalf("HPA replicas %v..%d, want at least 2, min ≤ max", minR, maxR)
	}
	if len(m.hpa.Spec.Metrics) == 0 {
		t.Errorf("HPA has no metric")
	}
	for _, metric := range m.hpa.Spec.Metrics {
		if metric.Resource == nil || metric.Resource.Name != corev1.ResourceCPU || metric.Resource.Target.AverageUtilization == nil {
			t.Errorf("HPA metric %+v, want CPU utilization", metric)
		}
	}
	podLabels := labels.Set(d.Spec.Template.Labels)
	for name, sel := range map[string]*metav1.LabelSelector{"Deployment": d.Spec.Selector, "PodDisruptionBudget": m.pdb.Spec.Selector,
		"Service": {MatchLabels: m.service.Spec.Selector}} {
		s, err := metav1.LabelSelectorAsSelector(sel)
		if err != nil || s.Empty() || !s.Matches(podLabels) {
			t.Errorf("%s selector %v does not select the pods %v (%v)", name, sel, podLabels, err)
		}
		if s != nil && s.Matches(labels.Set(m.job.Spec.Template.Labels)) {
			t.Errorf("%s selector %v also selects the migrate Job's pod", name, sel)
		}
	}
	if mu := m.pdb.Spec.MaxUnavailable; mu != nil {
		t.Errorf("PDB maxUnavailable %v: use minAvailable", mu)
	}
	if ma := m.pdb.Spec.MinAvailable; ma == nil || ma.IntValue() < 1 || ma.IntValue() >= int(*minR) {
		t.Errorf("PDB minAvailable %v, want at least 1 and below the HPA's minReplicas %d (a drain must be able to evict)", ma, *minR)
	}
	maxOpen, err := strconv.Atoi(m.configMap.Data["CW_DB_MAX_OPEN"])
	if err != nil {
		t.Fatalf("CW_DB_MAX_OPEN %q: %v", m.configMap.Data["CW_DB_MAX_OPEN"], err)
	}
	const migrateConns = 2 // main.go's migrate opens at most 2
	if n := int(maxR)*maxOpen + migrateConns; n > mariaDBMaxConnections {
		t.Errorf("%d pods × CW_DB_MAX_OPEN %d + %d = %d connections, over MariaDB's default %d", maxR, maxOpen, migrateConns, n, mariaDBMaxConnections)
	}
}

// issue 14: the migrate Job runs `creditwater migrate` (main.go) once, with
// the server's configuration, and is not restarted in place.
func TestMigrateJobRunsMigrate(t *testing.T) {
	m := load(t)
	c := onlyContainer(t, m.job.Spec.Template.Spec)
	if len(c.Command) != 0 || !slices.Equal(c.Args, []string{"migrate"}) {
		t.Errorf("migrate Job command %v args %v, want the image's entrypoint with args [migrate]", c.Command, c.Args)
	}
	main, err := os.ReadFile("../main.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(main), `case "migrate":`) {
		t.Errorf("main.go has no migrate subcommand")
	}
	if entry := instructionArgs(parseContainerfile(t), "ENTRYPOINT"); !slices.Equal(entry, []string{`["/creditwater"]`}) {
		t.Errorf("Containerfile ENTRYPOINT %v, want the binary alone (the Job passes the subcommand)", entry)
	}
	if p := m.job.Spec.Template.Spec.RestartPolicy; p != corev1.RestartPolicyNever {
		t.Errorf("restartPolicy %q, want Never (backoffLimit retries in a new pod)", p)
	}
	if b := m.job.Spec.BackoffLimit; b == nil || *b < 1 {
		t.Errorf("backoffLimit %v, want a few retries", b)
	}
	if m.job.Spec.ActiveDeadlineSeconds == nil {
		t.Errorf("the migrate Job has no activeDeadlineSeconds")
	}
	if !reflect.DeepEqual(c.EnvFrom, serverContainer(t, m).EnvFrom) {
		t.Errorf("the migrate Job's envFrom %+v differs from the server's", c.EnvFrom)
	}
}

// issue 14: every key of the ConfigMap and the Secret is a variable of
// package config (its `env` tags) — secrets in the Secret only, the rest in
// the ConfigMap — and both pods take them from these two objects by name.
// The Secret holds placeholders only.
func TestConfigMapAndSecretHoldRealVariables(t *testing.T) {
	m := load(t)
	secret := map[string]bool{}
	for _, v := range config.Vars() {
		secret[v.Name] = v.Secret
	}
	if len(secret) < 50 {
		t.Fatalf("config.Vars() lists %d variables", len(secret))
	}
	for k := range m.configMap.Data {
		isSecret, known := secret[k]
		switch {
		case !known:
			t.Errorf("ConfigMap key %s is not a variable of package config", k)
		case isSecret:
			t.Errorf("ConfigMap key %s is a secret; it belongs in the Secret", k)
		}
	}
	if len(m.configMap.BinaryData) > 0 || len(m.secret.Data) > 0 {
		t.Errorf("use ConfigMap data and Secret stringData only")
	}
	for k, v := range m.secret.StringData {
		isSecret, known := secret[k]
		switch {
		case !known:
			t.Errorf("Secret key %s is not a variable of package config", k)
		case !isSecret:
			t.Errorf("Secret key %s is not secret (config has no secret tag); it belongs in the ConfigMap", k)
		case !strings.Contains(v, placeholder):
			t.Errorf("Secret %s has no %s marker: only placeholders are committed", k, placeholder)
		}
	}
	want := []corev1.EnvFromSource{
		{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: m.configMap.Name}}},
		{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: m.secret.Name}}},
	}
	for _, c := range []corev1.Container{serverContainer(t, m), onlyContainer(t, m.job.Spec.Template.Spec)} {
		if !reflect.DeepEqual(c.EnvFrom, want) {
			t.Errorf("%s envFrom %+v, want ConfigMap %s and Secret %s", c.Name, c.EnvFrom, m.configMap.Name, m.secret.Name)
		}
		for _, e := range c.Env {
			if strings.HasPrefix(e.Name, "CW_") {
				t.Errorf("%s sets %s inline; CW_* variables come from the ConfigMap or the Secret", c.Name, e.Name)
			}
		}
	}
}

// issue 14: with real values in place of the Secret's placeholders, the
// ConfigMap and the Secret pass config.Load's production checks; the
// Deployment's grace period covers the preStop pause and
// CW_SHUTDOWN_TIMEOUT; CW_CJK_FONT is the font the image carries.
func TestManifestConfigurationLoadsInProduction(t *testing.T) {
	m := load(t)
	var environ []string
	for k, v := range m.configMap.Data {
		environ = append(environ, k+"="+v)
	}
	for k, v := range m.secret.StringData {
		// The formats a placeholder cannot have: 32-byte keys, and the
		// official account's 43-character EncodingAESKey (checked by
		// wechat.NewOfficialAccount when the server starts).
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		switch k {
		case "CW_DATA_KEY", "CW_INDEX_KEY":
			v = base64.StdEncoding.EncodeToString(key)
		case "CW_OA_AES_KEY":
			v = strings.TrimSuffix(base64.StdEncoding.EncodeToString(key), "=")
		}
		environ = append(environ, k+"="+v)
	}
	cfg, err := config.Load(environ)
	if err != nil {
		t.Fatalf("the manifests' configuration: %v", err)
	}
	if !cfg.Production() {
		t.Errorf("CW_ENV %q, want production", cfg.Env)
	}
	pod := m.deployment.Spec.Template.Spec
	c := serverContainer(t, m)
	var pause time.Duration
	if c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
		pause = time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
	}
	if pause == 0 {
		t.Errorf("no preStop sleep: the pod gets SIGTERM while the load balancer still sends to it")
	}
	if pod.TerminationGracePeriodSeconds == nil || time.Duration(*pod.TerminationGracePeriodSeconds)*time.Second <= pause+cfg.HTTP.ShutdownTimeout {
		t.Errorf("terminationGracePeriodSeconds %d, want more than preStop %v + CW_SHUTDOWN_TIMEOUT %v", ptrValue(pod.TerminationGracePeriodSeconds), pause, cfg.HTTP.ShutdownTimeout)
	}
	if !slices.Contains(letter.FontPaths(), cfg.Apply.CJKFont) {
		t.Errorf("CW_CJK_FONT %q is not among letter.FontPaths() %v", cfg.Apply.CJKFont, letter.FontPaths())
	}
	if !slices.Contains(finalStageCopies(parseContainerfile(t)), cfg.Apply.CJKFont) {
		t.Errorf("the image's final stage does not copy the font to CW_CJK_FONT %s", cfg.Apply.CJKFont)
	}
	if cfg.HTTP.MetricsAddr == "" || containerPort(c, "metrics") == 0 {
		t.Errorf("CW_METRICS_ADDR %q and a container port named metrics are needed for scraping", cfg.HTTP.MetricsAddr)
	} else if _, p, _ := net.SplitHostPort(cfg.HTTP.MetricsAddr); p != strconv.Itoa(int(containerPort(c, "metrics"))) {
		t.Errorf("CW_METRICS_ADDR %s, metrics container port %d", cfg.HTTP.MetricsAddr, containerPort(c, "metrics"))
	}
}

func serverContainer(t *testing.T, m manifests) corev1.Container {
	t.Helper()
	return onlyContainer(t, m.deployment.Spec.Template.Spec)
}

func onlyContainer(t *testing.T, spec corev1.PodSpec) corev1.Container {
	t.Helper()
	if len(spec.Containers) != 1 || len(spec.InitContainers) != 0 {
		t.Fatalf("want one container, got %d (+%d init)", len(spec.Containers), len(spec.InitContainers))
	}
	return spec.Containers[0]
}

// containerPort returns the number of c's port with that name, or 0.
func containerPort(c corev1.Container, name string) int32 {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort
		}
	}
	return 0
}

func ptrValue[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
