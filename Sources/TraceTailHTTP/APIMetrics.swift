import Hummingbird
import Metrics
import TraceTailCore

/// The HTTP layer's metrics, through whatever `MetricsFactory` the executable bootstrapped
/// (Prometheus in the daemon): per endpoint a latency histogram and request counts by status
/// class, and gauges of the store's size, refreshed whenever `/metrics` or `/stats` is served.
struct APIMetrics: Sendable {
    /// The latency histogram's name; the executable may give it finer buckets.
    static let latencyLabel = "tracetail_query_duration_seconds"
    static let latencyBuckets: [Duration] = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500].map { .microseconds(Int64($0 * 1000)) }

    private let latency: [Endpoint: Metrics.Timer]
    private let requests: [Endpoint: [Counter]]
    private let storeRecords: Gauge
    private let storeRawBytes: Gauge
    private let storeStoredBytes: Gauge
    private let storeFileBytes: Gauge
    private let storePartitions: Gauge
    private let storeNewest: Gauge

    init(factory: any MetricsFactory) {
        var latency: [Endpoint: Metrics.Timer] = [:]
        var requests: [Endpoint: [Counter]] = [:]
        for endpoint in Endpoint.allCases {
            let dimensions = [("endpoint", endpoint.rawValue)]
            latency[endpoint] = Metrics.Timer(label: Self.latencyLabel, dimensions: dimensions, factory: factory)
            requests[endpoint] = ["2xx", "4xx", "5xx"].map {
                Counter(label: "tracetail_http_requests_total", dimensions: dimensions + [("status", $0)], factory: factory)
            }
        }
        self.latency = latency
        self.requests = requests
        storeRecords = Gauge(label: "tracetail_store_records", factory: factory)
        storeRawBytes = Gauge(label: "tracetail_store_raw_bytes", factory: factory)
        storeStoredBytes = Gauge(label: "tracetail_store_stored_bytes", factory: factory)
        storeFileBytes = Gauge(label: "tracetail_store_file_bytes", factory: factory)
        storePartitions = Gauge(label: "tracetail_store_partitions", factory: factory)
        storeNewest = Gauge(label: "tracetail_store_newest_record_timestamp_seconds", factory: factory)
    }

    /// Counts a request and its time from arrival to the answer's head (the body of a streamed
    /// answer is not included: the store work is all done by then).
    func record(_ endpoint: Endpoint, status: HTTPResponse.Status, since start: ContinuousClock.Instant) {
        let elapsed = (ContinuousClock.now - start).components
        latency[endpoint]?.recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
        let index = status.code >= 500 ? 2 : status.code >= 400 ? 1 : 0
        requests[endpoint]?[index].increment()
    }

    func update(from stats: StoreStatistics) {
        storeRecords.record(stats.records)
        storeRawBytes.record(stats.rawBytes)
        storeStoredBytes.record(stats.storedBytes)
        storeFileBytes.record(stats.fileBytes)
        storePartitions.record(stats.partitions)
        if let newest = stats.newestTime { storeNewest.record(Double(newest) / 1000) }
    }
}
