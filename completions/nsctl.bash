#!/bin/bash

__nsctl_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__nsctl_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__nsctl_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__nsctl_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_nsctl() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __nsctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    secrets|env|token|submit|jobs|queue|health|monitor|chain|verify|backup|restore|compose|audit|help)
        # Offer subcommand argument completions
        "_nsctl_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'secrets env token submit jobs queue health monitor chain verify backup restore compose audit help' -- "${cur}"))
        ;;
    esac
}

_nsctl_secrets() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __nsctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    gen)
        # Offer subcommand argument completions
        "_nsctl_secrets_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'gen' -- "${cur}"))
        ;;
    esac
}

_nsctl_secrets_gen() {
    repeating_flags=()
    non_repeating_flags=(--force --json --version -h --help)
    repeating_options=(--rotate)
    non_repeating_options=(--env-file --postgres-secrets --witness-secrets --witness-name)
    __nsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--env-file')
        return
        ;;
    '--rotate')
        return
        ;;
    '--postgres-secrets')
        return
        ;;
    '--witness-secrets')
        return
        ;;
    '--witness-name')
        return
        ;;
    esac
}

_nsctl_env() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __nsctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    check)
        # Offer subcommand argument completions
        "_nsctl_env_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'check' -- "${cur}"))
        ;;
    esac
}

_nsctl_env_check() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--env-file)
    __nsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--env-file')
        return
        ;;
    esac
}

_nsctl_token() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __nsctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create)
        # Offer subcommand argument completions
        "_nsctl_token_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create' -- "${cur}"))
        ;;
    esac
}

_nsctl_token_create() {
    repeating_flags=()
    non_repeating_flags=(--admin --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--sub --role --ttl --env-file)
    __nsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--sub')
        return
        ;;
    '--role')
        return
        ;;
    '--ttl')
        return
        ;;
    '--env-file')
        return
        ;;
    esac
}

_nsctl_submit() {
    repeating_flags=()
    non_repeating_flags=(--wait --json --version -h --help)
    repeating_options=(--metadata)
    non_repeating_options=(--priority --wait-timeout --gateway-url --token-file --sub --timeout --env-file --data-dir)
    __nsctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--metadata')
        return
        ;;
    '--priority')
        return
        ;;
    '--wait-timeout')
        return
        ;;
    '--gateway-url')
        return
        ;;
    '--token-file')
        return
        ;;
    '--sub')
        return
        ;;
    '--timeout')
        return
        ;;
    '--env-file')
        return
        ;;
    '--data-dir')
        return
        ;;
    esac
}

_nsctl_jobs() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __nsctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    status|list|cancel|dlq)
        # Offer subcommand argument completions
        "_nsctl_jobs_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'status list cancel dlq' -- "${cur}"))
        ;;
    esac
}

_nsctl_jobs_status() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--vp-url --token-file --sub --role --timeout --env-file --data-dir)
    __nsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--vp-url')
        return
        ;;
    '--token-file')
        return
        ;;
    '--sub')
        return
        ;;
    '--role')
        return
        ;;
    '--timeout')
        return
        ;;
    '--env-file')
        return
        ;;
    '--data-dir')
        return
        ;;
    esac
}

_nsctl_jobs_list() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--state --limit --vp-url --token-file --sub --role --timeout --env-file --data-dir)
    __nsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--state')
        return
        ;;
    '--limit')
        return
        ;;
    '--vp-url')
        return
        ;;
    '--token-file')
        return
        ;;
    '--sub')
        return
        ;;
    '--role')
        return
        ;;
    '--timeout')
        return
        ;;
    '--env-file')
        return
        ;;
    '--data-dir')
        return
        ;;
    esac
}

_nsctl_jobs_cancel() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--vp-url --token-file --sub --role --timeout --env-file --data-dir)
    __nsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--vp-url')
        return
        ;;
    '--token-file')
        return
        ;;
    '--sub')
        return
        ;;
    '--role')
        return
        ;;
    '--timeout')
        return
        ;;
    '--env-file')
        return
        ;;
    '--data-dir')
        return
        ;;
    esac
}

_nsctl_jobs_dlq() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __nsctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|show|retry|purge)
        # Offer subcommand argument completions
        "_nsctl_jobs_dlq_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list show retry purge' -- "${cur}"))
        ;;
    esac
}

_nsctl_jobs_dlq_list() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--type --limit --vp-url --token-file --sub --role --timeout --env-file --data-dir)
    __nsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--type')
        return
        ;;
    '--limit')
        return
        ;;
    '--vp-url')
        return
        ;;
    '--token-file')
        return
        ;;
    '--sub')
        return
        ;;
    '--role')
        return
        ;;
    '--timeout')
        return
        ;;
    '--env-file')
        return
        ;;
    '--data-dir')
        return
        ;;
    esac
}

_nsctl_jobs_dlq_show() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--vp-url --token-file --sub --role --timeout --env-file --data-dir)
    __nsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--vp-url')
        return
        ;;
    '--token-file')
        return
        ;;
    '--sub')
        return
        ;;
    '--role')
        return
        ;;
    '--timeout')
        return
        ;;
    '--env-file')
        return
        ;;
    '--data-dir')
        return
        ;;
    esac
}

_nsctl_jobs_dlq_retry() {
    repeating_flags=()
    non_repeating_flags=(--all --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--type --vp-url --token-file --sub --role --timeout --env-file --data-dir)
    __nsctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--type')
        return
        ;;
    '--vp-url')
        return
        ;;
    '--token-file')
        return
        ;;
    '--sub')
        return
        ;;
    '--role')
        return
        ;;
    '--timeout')
        return
        ;;
    '--env-file')
        return
        ;;
    '--data-dir')
        return
        ;;
    esac
}

_nsctl_jobs_dlq_purge() {
    repeating_flags=()
    non_repeating_flags=(--all --yes --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--older-than --vp-url --token-file --sub --role --timeout --env-file --data-dir)
    __nsctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--older-than')
        return
        ;;
    '--vp-url')
        return
        ;;
    '--token-file')
        return
        ;;
    '--sub')
        return
        ;;
    '--role')
        return
        ;;
    '--timeout')
        return
        ;;
    '--env-file')
        return
        ;;
    '--data-dir')
        return
        ;;
    esac
}

_nsctl_queue() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __nsctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    pause|resume)
        # Offer subcommand argument completions
        "_nsctl_queue_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'pause resume' -- "${cur}"))
        ;;
    esac
}

_nsctl_queue_pause() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--vp-url --token-file --sub --role --timeout --env-file --data-dir)
    __nsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--vp-url')
        return
        ;;
    '--token-file')
        return
        ;;
    '--sub')
        return
        ;;
    '--role')
        return
        ;;
    '--timeout')
        return
        ;;
    '--env-file')
        return
        ;;
    '--data-dir')
        return
        ;;
    esac
}

_nsctl_queue_resume() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--vp-url --token-file --sub --role --timeout --env-file --data-dir)
    __nsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--vp-url')
        return
        ;;
    '--token-file')
        return
        ;;
    '--sub')
        return
        ;;
    '--role')
        return
        ;;
    '--timeout')
        return
        ;;
    '--env-file')
        return
        ;;
    '--data-dir')
        return
        ;;
    esac
}

_nsctl_health() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--service --warning-ms --critical-ms --dlq-warning --dlq-critical --store-warning --store-critical --timeout --ping-url --env-file)
    __nsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--service')
        return
        ;;
    '--warning-ms')
        return
        ;;
    '--critical-ms')
        return
        ;;
    '--dlq-warning')
        return
        ;;
    '--dlq-critical')
        return
        ;;
    '--store-warning')
        return
        ;;
    '--store-critical')
        return
        ;;
    '--timeout')
        return
        ;;
    '--ping-url')
        return
        ;;
    '--env-file')
        return
        ;;
    esac
}

_nsctl_monitor() {
    repeating_flags=()
    non_repeating_flags=(--verify-tiles --json --version -h --help)
    repeating_options=(--witness)
    non_repeating_options=(--state-file --ns-public-key --min-witnesses --witness-wait --ns-url --timeout --env-file)
    __nsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--state-file')
        return
        ;;
    '--ns-public-key')
        return
        ;;
    '--witness')
        return
        ;;
    '--min-witnesses')
        return
        ;;
    '--witness-wait')
        return
        ;;
    '--ns-url')
        return
        ;;
    '--timeout')
        return
        ;;
    '--env-file')
        return
        ;;
    esac
}

_nsctl_chain() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __nsctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    verify)
        # Offer subcommand argument completions
        "_nsctl_chain_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'verify' -- "${cur}"))
        ;;
    esac
}

_nsctl_chain_verify() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --database-url --ns-url --timeout --env-file)
    __nsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--database-url')
        return
        ;;
    '--ns-url')
        return
        ;;
    '--timeout')
        return
        ;;
    '--env-file')
        return
        ;;
    esac
}

_nsctl_verify() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=(--witness)
    non_repeating_options=(--ns-public-key --min-witnesses --ns-url --timeout --env-file --data-dir)
    __nsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--ns-public-key')
        return
        ;;
    '--witness')
        return
        ;;
    '--min-witnesses')
        return
        ;;
    '--ns-url')
        return
        ;;
    '--timeout')
        return
        ;;
    '--env-file')
        return
        ;;
    '--data-dir')
        return
        ;;
    esac
}

_nsctl_backup() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __nsctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|list|verify|prune)
        # Offer subcommand argument completions
        "_nsctl_backup_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create list verify prune' -- "${cur}"))
        ;;
    esac
}

_nsctl_backup_create() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--out --data-dir --env-file)
    __nsctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--out')
        return
        ;;
    '--data-dir')
        return
        ;;
    '--env-file')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __nsctl_add_completions -W 'ns-node-data'$'\n''vp-node-data'$'\n''admin-node-data'$'\n''redis-data'
        return
        ;;
    esac
}

_nsctl_backup_list() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--out --data-dir --env-file)
    __nsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--out')
        return
        ;;
    '--data-dir')
        return
        ;;
    '--env-file')
        return
        ;;
    esac
}

_nsctl_backup_verify() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=()
    __nsctl_offer_flags_options 1
}

_nsctl_backup_prune() {
    repeating_flags=()
    non_repeating_flags=(--yes --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--keep-last --keep-daily --out --data-dir --env-file)
    __nsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--keep-last')
        return
        ;;
    '--keep-daily')
        return
        ;;
    '--out')
        return
        ;;
    '--data-dir')
        return
        ;;
    '--env-file')
        return
        ;;
    esac
}

_nsctl_restore() {
    repeating_flags=()
    non_repeating_flags=(--yes --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--volume --out --data-dir --env-file)
    __nsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--volume')
        __nsctl_add_completions -W 'ns-node-data'$'\n''vp-node-data'$'\n''admin-node-data'$'\n''redis-data'
        return
        ;;
    '--out')
        return
        ;;
    '--data-dir')
        return
        ;;
    '--env-file')
        return
        ;;
    esac
}

_nsctl_compose() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __nsctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    render)
        # Offer subcommand argument completions
        "_nsctl_compose_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'render' -- "${cur}"))
        ;;
    esac
}

_nsctl_compose_render() {
    repeating_flags=()
    non_repeating_flags=(--check --version -h --help)
    repeating_options=()
    non_repeating_options=(--out)
    __nsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--out')
        return
        ;;
    esac
}

_nsctl_audit() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __nsctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    verify|tail)
        # Offer subcommand argument completions
        "_nsctl_audit_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'verify tail' -- "${cur}"))
        ;;
    esac
}

_nsctl_audit_verify() {
    repeating_flags=()
    non_repeating_flags=(--json --no-ledger --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --database-url --ns-url --timeout --env-file)
    __nsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--database-url')
        return
        ;;
    '--ns-url')
        return
        ;;
    '--timeout')
        return
        ;;
    '--env-file')
        return
        ;;
    esac
}

_nsctl_audit_tail() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(-n --lines --db --database-url --env-file)
    __nsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-n'|'--lines')
        return
        ;;
    '--db')
        return
        ;;
    '--database-url')
        return
        ;;
    '--env-file')
        return
        ;;
    esac
}

_nsctl_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __nsctl_offer_flags_options -1
}

complete -o filenames -F _nsctl nsctl
