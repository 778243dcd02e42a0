import Metrics
import Prometheus

/// The process's metrics registry, bootstrapped once so every swift-metrics counter lands in it.
enum MetricsSetup {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}
