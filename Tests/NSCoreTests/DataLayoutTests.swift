import NSCore
import Testing

@Suite("data directory layout")
struct DataLayoutTests {
    @Test("the files nsd opens are the seeds' volume folders and file names, and the ones nsctl is pointed at")
    func pathsUnderTheDataDirectory() throws {
        let settings = try DaemonSettings.load(roles: NodeRole.pipeline, dataDirectory: "/srv/ns", source: ConfigurationSource())
        let layout = DataLayout(dataDirectory: "/srv/ns")
        #expect(settings.layout == layout)
        #expect(settings.ledgerDatabasePath == "/srv/ns/ns-node-data/neuroswarm_chain.db" && layout.ledgerDatabase == settings.ledgerDatabasePath)
        #expect(settings.queueDatabasePath == "/srv/ns/vp-node-data/queue.db")
        #expect(settings.adminDatabasePath == "/srv/ns/admin-node-data/admin.db")
        #expect(layout.checkpointKey == "/srv/ns/ns-node-data/checkpoint.key")
        #expect(layout.producerKey == "/srv/ns/vp-node-data/producer.key")
        #expect(NodeRole.allCases.map { settings.dataFolder(for: $0) }
                == [nil, "/srv/ns/ns-node-data", "/srv/ns/vp-node-data", "/srv/ns/admin-node-data", "/srv/ns/witness-node-data"])
        #expect(layout.witnessDatabase == "/srv/ns/witness-node-data/witness.db")
    }

    @Test("development secrets sit directly in the data directory; other variables have no file")
    func developmentSecrets() {
        let layout = DataLayout(dataDirectory: "data")
        #expect(layout.developmentSecret("JWT_SECRET") == "data/jwt-secret")
        #expect(layout.developmentSecret("INTERNAL_TOKEN") == "data/internal-token")
        #expect(layout.developmentSecret("REDIS_URL") == nil)
    }
}
