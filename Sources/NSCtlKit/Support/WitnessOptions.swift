import ArgumentParser
import NSCore

/// `--witness name=vkey ...` and `--min-witnesses N`, shared by `nsctl verify` and `nsctl monitor`
/// so both read and count witnesses the same way.
struct WitnessOptions: ParsableArguments {
    @Option(name: .customLong("witness"), help: ArgumentHelp("A witness whose cosignature counts: its name and vkey (or base64 public key); repeatable. Env: NS_WITNESSES.",
                                                             valueName: "name=vkey"))
    var witnesses: [String] = []

    @Option(name: .customLong("min-witnesses"), help: ArgumentHelp("How many of those witnesses must have cosigned the checkpoint (default: all).", valueName: "n"))
    var minWitnesses: Int?

    /// The requirement these flags (else `NS_WITNESSES` in `source`) state; nil when no witness is
    /// named. A bad entry is a ``CommandFailure`` with ``WitnessRequirement/usageError``.
    func requirement(_ source: ConfigurationSource) throws(CommandFailure) -> WitnessRequirement? {
        try WitnessRequirement.parse(witnesses, environment: source.string(WitnessRequirement.environmentVariable), minimum: minWitnesses)
    }
}
