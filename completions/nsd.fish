function __nsd_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __nsd_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __nsd_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __nsd_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __nsd_parse_tokens -S
    set -l unparsed_tokens (__nsd_tokens -pc)
    switch $unparsed_tokens[1]
    case 'nsd'
        __nsd_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'run'
            __nsd_parse_subcommand 0 'role=+' 'data-dir=' 'host=' 'port=' 'gateway-port=' 'ns-port=' 'vp-port=' 'admin-port=' 'witness-port=' 'log-level=' 'log-file=' 'shutdown-timeout-ms=' 'env-file=' 'version' 'h/help'
        case 'help'
            __nsd_parse_subcommand -r 1 'version'
        end
    end
end

function __nsd_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __nsd_parse_subcommand -S -a positional_count
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

function __nsd_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __nsd_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__nsd_tokens -p)
    if test -z "$(__nsd_tokens -t)"
        set -l index (count (__nsd_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'nsd' -f
complete -c 'nsd' -n '__nsd_should_offer_completions_for_flags_or_options "nsd" version' -l 'version' -d 'Show the version.'
complete -c 'nsd' -n '__nsd_should_offer_completions_for_flags_or_options "nsd" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsd' -n '__nsd_should_offer_completions_for_positional "nsd" -eq 1' -fa 'run' -d 'Run the nodes (all four, and the witness when configured, unless --role is given) until SIGTERM or SIGINT.'
complete -c 'nsd' -n '__nsd_should_offer_completions_for_positional "nsd" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'nsd' -n '__nsd_should_offer_completions_for_flags_or_options "nsd run"' -l 'role' -d 'Node to run: gateway, ns, vp, admin or witness. Repeat for several; omit to run all four (and the witness when WITNESS_* is set).' -rfka 'gateway ns vp admin witness'
complete -c 'nsd' -n '__nsd_should_offer_completions_for_flags_or_options "nsd run" data-dir' -l 'data-dir' -d 'Folder for node state (ns-node-data, vp-node-data, admin-node-data). Env: DATA_DIR.' -rfka ''
complete -c 'nsd' -n '__nsd_should_offer_completions_for_flags_or_options "nsd run" host' -l 'host' -d 'Address to listen on. Env: HOST.' -rfka ''
complete -c 'nsd' -n '__nsd_should_offer_completions_for_flags_or_options "nsd run" port' -l 'port' -d 'Port when exactly one --role runs (0 picks a free port). Env: PORT.' -rfka ''
complete -c 'nsd' -n '__nsd_should_offer_completions_for_flags_or_options "nsd run" gateway-port' -l 'gateway-port' -d 'gateway-node port. Env: GATEWAY_PORT (default 8080).' -rfka ''
complete -c 'nsd' -n '__nsd_should_offer_completions_for_flags_or_options "nsd run" ns-port' -l 'ns-port' -d 'ns-node port. Env: NS_PORT (default 3009).' -rfka ''
complete -c 'nsd' -n '__nsd_should_offer_completions_for_flags_or_options "nsd run" vp-port' -l 'vp-port' -d 'vp-node port. Env: VP_PORT (default 3002).' -rfka ''
complete -c 'nsd' -n '__nsd_should_offer_completions_for_flags_or_options "nsd run" admin-port' -l 'admin-port' -d 'admin-node port. Env: ADMIN_PORT (default 3000).' -rfka ''
complete -c 'nsd' -n '__nsd_should_offer_completions_for_flags_or_options "nsd run" witness-port' -l 'witness-port' -d 'witness-node port. Env: WITNESS_PORT (default 3010).' -rfka ''
complete -c 'nsd' -n '__nsd_should_offer_completions_for_flags_or_options "nsd run" log-level' -l 'log-level' -d 'trace, debug, info, notice, warn, error or critical. Env: LOG_LEVEL (default info).' -rfka ''
complete -c 'nsd' -n '__nsd_should_offer_completions_for_flags_or_options "nsd run" log-file' -l 'log-file' -d 'Also write log lines to this file, rotated at 10 MB, 3 files kept. Env: LOG_FILE.' -rfka ''
complete -c 'nsd' -n '__nsd_should_offer_completions_for_flags_or_options "nsd run" shutdown-timeout-ms' -l 'shutdown-timeout-ms' -d 'How long in-flight work may take to finish after SIGTERM, in milliseconds. Env: SHUTDOWN_TIMEOUT_MS (default 10000).' -rfka ''
complete -c 'nsd' -n '__nsd_should_offer_completions_for_flags_or_options "nsd run" env-file' -l 'env-file' -d 'dotenv file read after the environment; a missing default ./.env is fine, a missing named file is an error.' -rfka ''
complete -c 'nsd' -n '__nsd_should_offer_completions_for_flags_or_options "nsd run" version' -l 'version' -d 'Show the version.'
complete -c 'nsd' -n '__nsd_should_offer_completions_for_flags_or_options "nsd run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'nsd' -n '__nsd_should_offer_completions_for_flags_or_options "nsd help" version' -l 'version' -d 'Show the version.'
