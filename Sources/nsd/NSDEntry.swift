import NSDaemon

/// Entry point; all behaviour lives in NSDaemon.
@main
enum NSDEntry {
    static func main() async {
        await NSD.main()
    }
}
