import NSCtlKit

/// Entry point; all behaviour lives in NSCtlKit.
@main
enum NSCtlEntry {
    static func main() async {
        await NSCtl.runMain()
    }
}
