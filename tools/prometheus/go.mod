// Wrapper module for the test-only prometheus build (pins go.sum).
// scripts/bootstrap-tools re-pins the version from PROMETHEUS_VERSION in ../versions.env.
module moorage.local/tools/prometheus

go 1.26.7

require github.com/prometheus/prometheus v0.316.0
