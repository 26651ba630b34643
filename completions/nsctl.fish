function __nsctl_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __nsctl_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __nsctl_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __nsctl_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __nsctl_parse_tokens -S
    set -l unparsed_tokens (__nsctl_tokens -pc)
    switch $unparsed_tokens[1]
    case 'nsctl'
        __nsctl_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'secrets'
            __nsctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'gen'
                __nsctl_parse_subcommand 0 'env-file=' 'force' 'rotate=+' 'postgres-secrets=' 'witness-secrets=' 'witness-name=' 'json' 'version' 'h/help'
            end
        case 'env'
            __nsctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'check'
                __nsctl_parse_subcommand 0 'env-file=' 'json' 'version' 'h/help'
            end
        case 'token'
            __nsctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'create'
                __nsctl_parse_subcommand 0 'sub=' 'role=' 'ttl=' 'admin' 'env-file=' 'json' 'version' 'h/help'
            end
        case 'submit'
            __nsctl_parse_subcommand -r 1 'metadata=+' 'priority=' 'wait' 'wait-timeout=' 'gateway-url=' 'token-file=' 'sub=' 'timeout=' 'env-file=' 'data-dir=' 'json' 'version' 'h/help'
        case 'jobs'
            __nsctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'status'
                __nsctl_parse_subcommand 1 'vp-url=' 'token-file=' 'sub=' 'role=' 'timeout=' 'env-file=' 'data-dir=' 'json' 'version' 'h/help'
            case 'list'
                __nsctl_parse_subcommand 0 'state=' 'limit=' 'vp-url=' 'token-file=' 'sub=' 'role=' 'timeout=' 'env-file=' 'data-dir=' 'json' 'version' 'h/help'
            case 'cancel'
                __nsctl_parse_subcommand 1 'vp-url=' 'token-file=' 'sub=' 'role=' 'timeout=' 'env-file=' 'data-dir=' 'json' 'version' 'h/help'
            case 'dlq'
                __nsctl_parse_subcommand 0 'version' 'h/help'
                switch $unparsed_tokens[1]
                case 'list'
                    __nsctl_parse_subcommand 0 'type=' 'limit=' 'vp-url=' 'token-file=' 'sub=' 'role=' 'timeout=' 'env-file=' 'data-dir=' 'json' 'version' 'h/help'
                case 'show'
                    __nsctl_parse_subcommand 1 'vp-url=' 'token-file=' 'sub=' 'role=' 'timeout=' 'env-file=' 'data-dir=' 'json' 'version' 'h/help'
                case 'retry'
                    __nsctl_parse_subcommand -r 1 'all' 'type=' 'vp-url=' 'token-file=' 'sub=' 'role=' 'timeout=' 'env-file=' 'data-dir=' 'json' 'version' 'h/help'
                case 'purge'
                    __nsctl_parse_subcommand -r 1 'older-than=' 'all' 'yes' 'vp-url=' 'token-file=' 'sub=' 'role=' 'timeout=' 'env-file=' 'data-dir=' 'json' 'version' 'h/help'
                end
            end
        case 'queue'
            __nsctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'pause'
                __nsctl_parse_subcommand 0 'vp-url=' 'token-file=' 'sub=' 'role=' 'timeout=' 'env-file=' 'data-dir=' 'json' 'version' 'h/help'
            case 'resume'
                __nsctl_parse_subcommand 0 'vp-url=' 'token-file=' 'sub=' 'role=' 'timeout=' 'env-file=' 'data-dir=' 'json' 'version' 'h/help'
            end
        case 'health'
            __nsctl_parse_subcommand 0 'service=' 'warning-ms=' 'critical-ms=' 'dlq-warning=' 'dlq-critical=' 'store-warning=' 'store-critical=' 'timeout=' 'ping-url=' 'env-file=' 'json' 'version' 'h/help'
        case 'monitor'
            __nsctl_parse_subcommand 0 'state-file=' 'ns-public-key=' 'witness=+' 'min-witnesses=' 'witness-wait=' 'verify-tiles' 'ns-url=' 'timeout=' 'env-file=' 'json' 'version' 'h/help'
        case 'chain'
            __nsctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'verify'
                __nsctl_parse_subcommand 0 'db=' 'database-url=' 'ns-url=' 'timeout=' 'env-file=' 'json' 'version' 'h/help'
            end
        case 'verify'
            __nsctl_parse_subcommand 1 'ns-public-key=' 'witness=+' 'min-witnesses=' 'ns-url=' 'timeout=' 'env-file=' 'json' 'data-dir=' 'version' 'h/help'
        case 'backup'
            __nsctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'create'
                __nsctl_parse_subcommand -r 1 'out=' 'data-dir=' 'env-file=' 'json' 'version' 'h/help'
            case 'list'
                __nsctl_parse_subcommand 0 'out=' 'data-dir=' 'env-file=' 'json' 'version' 'h/help'
            case 'verify'
                __nsctl_parse_subcommand 1 'json' 'version' 'h/help'
            case 'prune'
                __nsctl_parse_subcommand 0 'keep-last=' 'keep-daily=' 'yes' 'out=' 'data-dir=' 'env-file=' 'json' 'version' 'h/help'
            end
        case 'restore'
            __nsctl_parse_subcommand 1 'volume=' 'yes' 'out=' 'data-dir=' 'env-file=' 'json' 'version' 'h/help'
        case 'compose'
            __nsctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'render'
                __nsctl_parse_subcommand 0 'out=' 'check' 'version' 'h/help'
            end
        case 'audit'
            __nsctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'verify'
                __nsctl_parse_subcommand 0 'db=' 'database-url=' 'ns-url=' 'timeout=' 'env-file=' 'json' 'no-ledger' 'version' 'h/help'
            case 'tail'
                __nsctl_parse_subcommand 0 'n/lines=' 'json' 'db=' 'database-url=' 'env-file=' 'version' 'h/help'
            end
        case 'help'
            __nsctl_parse_subcommand -r 1 'version'
        end
    end
end

function __nsctl_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __nsctl_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __nsctl_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __nsctl_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__nsctl_tokens -p)
    if test -z "$(__nsctl_tokens -t)"
        set -l index (count (__nsctl_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'nsctl' -f
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl" -eq 1' -fa 'secrets' -d 'Generate or rotate the secrets in a .env file.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl" -eq 1' -fa 'env' -d 'Check a .env file.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl" -eq 1' -fa 'token' -d 'Mint bearer tokens.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl" -eq 1' -fa 'submit' -d 'Submit files (or - for stdin) as artifacts, and optionally wait until they are in a block.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl" -eq 1' -fa 'jobs' -d 'Inspect and manage jobs and the dead-letter queue (vp-node operator API).'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl" -eq 1' -fa 'queue' -d 'Pause or resume leasing (operator role).'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl" -eq 1' -fa 'health' -d 'Check every node\'s /health (and Redis, and the dead-letter queue) the monitoring-plugin way.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl" -eq 1' -fa 'monitor' -d 'Check that ns-node\'s log only grows: each signed checkpoint must extend the last one recorded (for cron).'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl" -eq 1' -fa 'chain' -d 'Inspect and verify the ledger.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl" -eq 1' -fa 'verify' -d 'Prove that a file was accepted and anchored in the ledger, unchanged.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl" -eq 1' -fa 'backup' -d 'Back up data volumes consistently while nsd runs; list, verify and prune backups.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl" -eq 1' -fa 'restore' -d 'Restore a volume from a backup file, keeping the current data aside.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl" -eq 1' -fa 'compose' -d 'Render the Docker Compose deployment (compose file, Prometheus, Grafana, Dockerfile).'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl" -eq 1' -fa 'audit' -d 'Check and read admin-node\'s audit trail.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl secrets" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl secrets" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl secrets" -eq 1' -fa 'gen' -d 'Write a .env with fresh secrets and keys, or rotate chosen secrets in an existing one.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl secrets gen" env-file' -l 'env-file' -d 'The file to write.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl secrets gen" force' -l 'force' -d 'Replace an existing file (the old one is kept as a 0600 backup).'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl secrets gen"' -l 'rotate' -d 'Replace only this secret in the existing file (repeatable).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl secrets gen" postgres-secrets' -l 'postgres-secrets' -d 'Write only the compose PostgreSQL variant\'s postgres_password and database_url into this folder.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl secrets gen" witness-secrets' -l 'witness-secrets' -d 'Write only the compose witness variant\'s witness_signing_key into this folder and print its settings.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl secrets gen" witness-name' -l 'witness-name' -d 'The witness\'s key name on its cosignature lines (with --witness-secrets).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl secrets gen" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl secrets gen" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl secrets gen" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl env" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl env" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl env" -eq 1' -fa 'check' -d 'Validate a .env file: missing, short or overdue secrets, wildcard CORS in production, malformed values.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl env check" env-file' -l 'env-file' -d 'The file to check.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl env check" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl env check" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl env check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl token" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl token" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl token" -eq 1' -fa 'create' -d 'Mint an HS256 token for the gateway (JWT_SECRET) or, with --admin, for admin-node (ADMIN_JWT_SECRET).'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl token create" sub' -l 'sub' -d 'The user the token names (its sub claim).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl token create" role' -l 'role' -d 'Role claim: viewer, operator or admin. On gateway tokens, admin reads every job.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl token create" ttl' -l 'ttl' -d 'Lifetime: a number with s, m, h or d (at most JWT_MAX_TTL, default 30d).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl token create" admin' -l 'admin' -d 'Sign with ADMIN_JWT_SECRET, for admin-node sign-in.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl token create" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl token create" json' -l 'json' -d 'Print JSON (token, sub, role, kid, expiresAt) instead of the bare token.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl token create" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl token create" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl submit"' -l 'metadata' -d 'key=value metadata for every file (repeatable).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl submit" priority' -l 'priority' -d 'critical, high, normal or low.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl submit" wait' -l 'wait' -d 'Wait until every job is committed or dead-lettered.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl submit" wait-timeout' -l 'wait-timeout' -d 'With --wait: give up after this many seconds (exit 1).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl submit" gateway-url' -l 'gateway-url' -d 'Gateway base URL. Env: GATEWAY_URL (default http://localhost:8080).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl submit" token-file' -l 'token-file' -d 'File holding the bearer token.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl submit" sub' -l 'sub' -d 'User to mint a token for when neither --token-file nor NSCTL_TOKEN is given.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl submit" timeout' -l 'timeout' -d 'Seconds to wait for each request.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl submit" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl submit" data-dir' -l 'data-dir' -d 'Data folder of a local development nsd, whose secrets and checkpoint key are used when no flag, environment or .env gives them. Env: DATA_DIR (default ./data).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl submit" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl submit" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl submit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl jobs" -eq 1' -fa 'status' -d 'Show one job, with its error history.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl jobs" -eq 1' -fa 'list' -d 'List jobs in one state, oldest first.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl jobs" -eq 1' -fa 'cancel' -d 'Cancel a queued or retrying job.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl jobs" -eq 1' -fa 'dlq' -d 'The dead-letter queue: list, show, retry, purge.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs status" vp-url' -l 'vp-url' -d 'vp-node base URL. Env: VP_URL (default http://localhost:3002).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs status" token-file' -l 'token-file' -d 'File holding an operator token (nsctl token create --admin).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs status" sub' -l 'sub' -d 'User named in a minted token.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs status" role' -l 'role' -d 'Role of a minted token: viewer, operator or admin.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs status" timeout' -l 'timeout' -d 'Seconds to wait for each request.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs status" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs status" data-dir' -l 'data-dir' -d 'Data folder of a local development nsd, whose secrets and checkpoint key are used when no flag, environment or .env gives them. Env: DATA_DIR (default ./data).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs status" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs status" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs list" state' -l 'state' -d 'queued, processing, retry, completed, dead_letter or cancelled.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs list" limit' -l 'limit' -d 'At most this many (1 to 1000).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs list" vp-url' -l 'vp-url' -d 'vp-node base URL. Env: VP_URL (default http://localhost:3002).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs list" token-file' -l 'token-file' -d 'File holding an operator token (nsctl token create --admin).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs list" sub' -l 'sub' -d 'User named in a minted token.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs list" role' -l 'role' -d 'Role of a minted token: viewer, operator or admin.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs list" timeout' -l 'timeout' -d 'Seconds to wait for each request.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs list" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs list" data-dir' -l 'data-dir' -d 'Data folder of a local development nsd, whose secrets and checkpoint key are used when no flag, environment or .env gives them. Env: DATA_DIR (default ./data).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs list" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs list" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs cancel" vp-url' -l 'vp-url' -d 'vp-node base URL. Env: VP_URL (default http://localhost:3002).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs cancel" token-file' -l 'token-file' -d 'File holding an operator token (nsctl token create --admin).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs cancel" sub' -l 'sub' -d 'User named in a minted token.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs cancel" role' -l 'role' -d 'Role of a minted token: viewer, operator or admin.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs cancel" timeout' -l 'timeout' -d 'Seconds to wait for each request.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs cancel" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs cancel" data-dir' -l 'data-dir' -d 'Data folder of a local development nsd, whose secrets and checkpoint key are used when no flag, environment or .env gives them. Env: DATA_DIR (default ./data).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs cancel" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs cancel" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs cancel" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl jobs dlq" -eq 1' -fa 'list' -d 'List dead-lettered jobs, oldest first.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl jobs dlq" -eq 1' -fa 'show' -d 'Show a dead-lettered job with its error history.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl jobs dlq" -eq 1' -fa 'retry' -d 'Queue dead-lettered jobs again (attempts reset, history kept).'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl jobs dlq" -eq 1' -fa 'purge' -d 'Delete dead-lettered jobs for good.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq list" type' -l 'type' -d 'Only jobs of this type.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq list" limit' -l 'limit' -d 'At most this many (1 to 1000).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq list" vp-url' -l 'vp-url' -d 'vp-node base URL. Env: VP_URL (default http://localhost:3002).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq list" token-file' -l 'token-file' -d 'File holding an operator token (nsctl token create --admin).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq list" sub' -l 'sub' -d 'User named in a minted token.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq list" role' -l 'role' -d 'Role of a minted token: viewer, operator or admin.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq list" timeout' -l 'timeout' -d 'Seconds to wait for each request.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq list" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq list" data-dir' -l 'data-dir' -d 'Data folder of a local development nsd, whose secrets and checkpoint key are used when no flag, environment or .env gives them. Env: DATA_DIR (default ./data).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq list" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq list" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq show" vp-url' -l 'vp-url' -d 'vp-node base URL. Env: VP_URL (default http://localhost:3002).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq show" token-file' -l 'token-file' -d 'File holding an operator token (nsctl token create --admin).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq show" sub' -l 'sub' -d 'User named in a minted token.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq show" role' -l 'role' -d 'Role of a minted token: viewer, operator or admin.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq show" timeout' -l 'timeout' -d 'Seconds to wait for each request.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq show" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq show" data-dir' -l 'data-dir' -d 'Data folder of a local development nsd, whose secrets and checkpoint key are used when no flag, environment or .env gives them. Env: DATA_DIR (default ./data).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq show" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq show" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq retry" all' -l 'all' -d 'Every dead-lettered job (of --type, if given).'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq retry" type' -l 'type' -d 'With --all: only jobs of this type.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq retry" vp-url' -l 'vp-url' -d 'vp-node base URL. Env: VP_URL (default http://localhost:3002).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq retry" token-file' -l 'token-file' -d 'File holding an operator token (nsctl token create --admin).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq retry" sub' -l 'sub' -d 'User named in a minted token.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq retry" role' -l 'role' -d 'Role of a minted token: viewer, operator or admin.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq retry" timeout' -l 'timeout' -d 'Seconds to wait for each request.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq retry" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq retry" data-dir' -l 'data-dir' -d 'Data folder of a local development nsd, whose secrets and checkpoint key are used when no flag, environment or .env gives them. Env: DATA_DIR (default ./data).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq retry" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq retry" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq retry" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq purge" older-than' -l 'older-than' -d 'Jobs dead-lettered more than this long ago: a number with s, m, h or d.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq purge" all' -l 'all' -d 'Every dead-lettered job.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq purge" yes' -l 'yes' -d 'Do not ask for confirmation.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq purge" vp-url' -l 'vp-url' -d 'vp-node base URL. Env: VP_URL (default http://localhost:3002).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq purge" token-file' -l 'token-file' -d 'File holding an operator token (nsctl token create --admin).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq purge" sub' -l 'sub' -d 'User named in a minted token.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq purge" role' -l 'role' -d 'Role of a minted token: viewer, operator or admin.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq purge" timeout' -l 'timeout' -d 'Seconds to wait for each request.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq purge" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq purge" data-dir' -l 'data-dir' -d 'Data folder of a local development nsd, whose secrets and checkpoint key are used when no flag, environment or .env gives them. Env: DATA_DIR (default ./data).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq purge" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq purge" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl jobs dlq purge" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl queue" -eq 1' -fa 'pause' -d 'Stop workers from leasing jobs; running jobs finish.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl queue" -eq 1' -fa 'resume' -d 'Let workers lease jobs again.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue pause" vp-url' -l 'vp-url' -d 'vp-node base URL. Env: VP_URL (default http://localhost:3002).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue pause" token-file' -l 'token-file' -d 'File holding an operator token (nsctl token create --admin).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue pause" sub' -l 'sub' -d 'User named in a minted token.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue pause" role' -l 'role' -d 'Role of a minted token: viewer, operator or admin.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue pause" timeout' -l 'timeout' -d 'Seconds to wait for each request.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue pause" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue pause" data-dir' -l 'data-dir' -d 'Data folder of a local development nsd, whose secrets and checkpoint key are used when no flag, environment or .env gives them. Env: DATA_DIR (default ./data).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue pause" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue pause" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue pause" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue resume" vp-url' -l 'vp-url' -d 'vp-node base URL. Env: VP_URL (default http://localhost:3002).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue resume" token-file' -l 'token-file' -d 'File holding an operator token (nsctl token create --admin).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue resume" sub' -l 'sub' -d 'User named in a minted token.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue resume" role' -l 'role' -d 'Role of a minted token: viewer, operator or admin.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue resume" timeout' -l 'timeout' -d 'Seconds to wait for each request.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue resume" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue resume" data-dir' -l 'data-dir' -d 'Data folder of a local development nsd, whose secrets and checkpoint key are used when no flag, environment or .env gives them. Env: DATA_DIR (default ./data).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue resume" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue resume" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl queue resume" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl health" service' -l 'service' -d 'Services to check, comma-separated: gateway,ns,vp,admin,redis (redis only when REDIS_URL or REDIS_SENTINELS is set).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl health" warning-ms' -l 'warning-ms' -d 'Latency at or above which a service is WARNING.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl health" critical-ms' -l 'critical-ms' -d 'Latency at or above which a service is CRITICAL.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl health" dlq-warning' -l 'dlq-warning' -d 'Dead-lettered jobs at or above which the check is WARNING.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl health" dlq-critical' -l 'dlq-critical' -d 'Dead-lettered jobs at or above which the check is CRITICAL.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl health" store-warning' -l 'store-warning' -d 'Queue store fill (percent of Redis maxmemory, or of the disk under SQLite) at or above which the check is WARNING.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl health" store-critical' -l 'store-critical' -d 'Queue store fill at or above which the check is CRITICAL.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl health" timeout' -l 'timeout' -d 'Bound on the whole check.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl health" ping-url' -l 'ping-url' -d 'Dead-man\'s-switch URL: the exit status is appended (/0 on success), healthchecks.io style.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl health" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl health" json' -l 'json' -d 'Print JSON with every detail instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl health" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl health" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl monitor" state-file' -l 'state-file' -d 'Where the last verified checkpoint is recorded between runs (created by the first run).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl monitor" ns-public-key' -l 'ns-public-key' -d 'ns-node\'s checkpoint public key, base64. Env: NS_PUBLIC_KEY.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl monitor"' -l 'witness' -d 'A witness whose cosignature counts: its name and vkey (or base64 public key); repeatable. Env: NS_WITNESSES.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl monitor" min-witnesses' -l 'min-witnesses' -d 'How many of those witnesses must have cosigned the checkpoint (default: all).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl monitor" witness-wait' -l 'witness-wait' -d 'Seconds to keep fetching a checkpoint that lacks only witness cosignatures before reporting it (0 to 300).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl monitor" verify-tiles' -l 'verify-tiles' -d 'Also re-verify every tile and entry bundle holding a leaf added since the recorded checkpoint (the whole log on the first run).'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl monitor" ns-url' -l 'ns-url' -d 'ns-node base URL, or several comma-separated that calls fail over across. Env: NS_NODE_URL (default http://localhost:3009).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl monitor" timeout' -l 'timeout' -d 'Seconds to wait for each request.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl monitor" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl monitor" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl monitor" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl monitor" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl chain" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl chain" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl chain" -eq 1' -fa 'verify' -d 'Re-check every block of the ledger: links, signatures, transactions, roots.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl chain verify" db' -l 'db' -d 'Verify this ledger database file instead of a running ns-node.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl chain verify" database-url' -l 'database-url' -d 'Verify the ledger in this PostgreSQL database (postgres://USER:PASSWORD@HOST:5432/DB) instead of a running ns-node. Env: DATABASE_URL, DATABASE_URL_FILE.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl chain verify" ns-url' -l 'ns-url' -d 'ns-node base URL, or several comma-separated that calls fail over across. Env: NS_NODE_URL (default http://localhost:3009).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl chain verify" timeout' -l 'timeout' -d 'Seconds to wait for each request.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl chain verify" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl chain verify" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl chain verify" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl chain verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl verify" ns-public-key' -l 'ns-public-key' -d 'ns-node\'s checkpoint public key, base64. Env: NS_PUBLIC_KEY.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl verify"' -l 'witness' -d 'A witness whose cosignature counts: its name and vkey (or base64 public key); repeatable. Env: NS_WITNESSES.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl verify" min-witnesses' -l 'min-witnesses' -d 'How many of those witnesses must have cosigned the checkpoint (default: all).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl verify" ns-url' -l 'ns-url' -d 'ns-node base URL, or several comma-separated that calls fail over across. Env: NS_NODE_URL (default http://localhost:3009).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl verify" timeout' -l 'timeout' -d 'Seconds to wait for each request.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl verify" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl verify" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl verify" data-dir' -l 'data-dir' -d 'Data folder of a local development nsd, whose secrets and checkpoint key are used when no flag, environment or .env gives them. Env: DATA_DIR (default ./data).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl verify" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl backup" -eq 1' -fa 'create' -d 'Back up the named volumes (the default: `nsctl backup VOLUME...`).'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl backup" -eq 1' -fa 'list' -d 'List the backups in --out, oldest first per volume, with their manifests\' summary.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl backup" -eq 1' -fa 'verify' -d 'Check a backup: archive, manifest, every file\'s SHA-256, database integrity, and the ledger or audit chain.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl backup" -eq 1' -fa 'prune' -d 'Delete old backups, keeping the newest --keep-last per volume and one per day for --keep-daily days.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl backup create" -ge 1' -fka 'ns-node-data vp-node-data admin-node-data redis-data'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup create" out' -l 'out' -d 'Folder of backup files. Env: BACKUP_DIR (default ./backups).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup create" data-dir' -l 'data-dir' -d 'nsd\'s data directory, holding the volume folders. Env: DATA_DIR (default ./data).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup create" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup create" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup create" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup create" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup list" out' -l 'out' -d 'Folder of backup files. Env: BACKUP_DIR (default ./backups).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup list" data-dir' -l 'data-dir' -d 'nsd\'s data directory, holding the volume folders. Env: DATA_DIR (default ./data).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup list" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup list" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup list" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup verify" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup verify" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup prune" keep-last' -l 'keep-last' -d 'Keep this many newest backups of each volume.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup prune" keep-daily' -l 'keep-daily' -d 'Also keep the newest backup of each of the last N days that have one.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup prune" yes' -l 'yes' -d 'Delete; without it, only show what would be deleted.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup prune" out' -l 'out' -d 'Folder of backup files. Env: BACKUP_DIR (default ./backups).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup prune" data-dir' -l 'data-dir' -d 'nsd\'s data directory, holding the volume folders. Env: DATA_DIR (default ./data).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup prune" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup prune" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup prune" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl backup prune" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl restore" volume' -l 'volume' -d 'The volume to restore: ns-node-data, vp-node-data, admin-node-data, redis-data.' -rfka 'ns-node-data vp-node-data admin-node-data redis-data'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl restore" yes' -l 'yes' -d 'Restore without asking.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl restore" out' -l 'out' -d 'Folder of backup files. Env: BACKUP_DIR (default ./backups).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl restore" data-dir' -l 'data-dir' -d 'nsd\'s data directory, holding the volume folders. Env: DATA_DIR (default ./data).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl restore" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl restore" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl restore" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl restore" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl compose" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl compose" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl compose" -eq 1' -fa 'render' -d 'Write the deployment\'s files from the one description of its services, or check them.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl compose render" out' -l 'out' -d 'Folder to write into (created if missing).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl compose render" check' -l 'check' -d 'Compare the files in --out with a fresh render instead of writing; exit 1 if any differs.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl compose render" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl compose render" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl audit" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl audit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl audit" -eq 1' -fa 'verify' -d 'Re-check the audit trail\'s hash chain and that it still holds the head anchored in the ledger.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_positional "nsctl audit" -eq 1' -fa 'tail' -d 'Show the most recent audit entries, oldest first.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl audit verify" db' -l 'db' -d 'admin-node\'s database. Default: DATA_DIR/admin-node-data/admin.db (DATA_DIR defaults to ./data).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl audit verify" database-url' -l 'database-url' -d 'Read the trail from admin-node\'s PostgreSQL database instead of a file (also DATABASE_URL or DATABASE_URL_FILE, used when --db is not given). Prefer DATABASE_URL_FILE: a command line is visible to other users of the host.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl audit verify" ns-url' -l 'ns-url' -d 'ns-node base URL, or several comma-separated that calls fail over across. Env: NS_NODE_URL (default http://localhost:3009).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl audit verify" timeout' -l 'timeout' -d 'Seconds to wait for each request.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl audit verify" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl audit verify" json' -l 'json' -d 'Print JSON instead of text.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl audit verify" no-ledger' -l 'no-ledger' -d 'Check the hash chain only, without asking ns-node for the anchored head: entries cut from the end then go unnoticed.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl audit verify" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl audit verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl audit tail" lines n' -s 'n' -l 'lines' -d 'How many entries.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl audit tail" json' -l 'json' -d 'Print one JSON object per line.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl audit tail" db' -l 'db' -d 'admin-node\'s database. Default: DATA_DIR/admin-node-data/admin.db (DATA_DIR defaults to ./data).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl audit tail" database-url' -l 'database-url' -d 'Read the trail from admin-node\'s PostgreSQL database instead of a file (also DATABASE_URL or DATABASE_URL_FILE, used when --db is not given). Prefer DATABASE_URL_FILE: a command line is visible to other users of the host.' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl audit tail" env-file' -l 'env-file' -d 'dotenv file read after the environment (default ./.env if present).' -rfka ''
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl audit tail" version' -l 'version' -d 'Show the version.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl audit tail" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsctl' -n '__nsctl_should_offer_completions_for_flags_or_options "nsctl help" version' -l 'version' -d 'Show the version.'
