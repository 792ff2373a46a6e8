// Package deploy holds creditwater's deployment artefacts: the container
// image definition (Containerfile) and the Kubernetes manifests (k8s/). It
// has no code; its tests check the artefacts offline, in `go test ./...`:
// every manifest decodes strictly into the k8s.io/api types, the probes,
// resources, security settings, autoscaler, disruption budget and migrate
// Job agree with each other and with the server, and the ConfigMap and
// Secret name only real CW_* variables that pass the production checks.
package deploy
