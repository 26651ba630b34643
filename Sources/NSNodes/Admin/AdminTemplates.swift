/// The dashboard's Mustache templates, compiled into the binary: no template folder to deploy,
/// no external assets (the style sheet is inline), every page usable without JavaScript.
/// `{{ }}` escapes HTML; `{{{ }}}` is used only for the page body the layout wraps.
enum AdminTemplates {
    static let layout = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · NeuroSwarm admin</title>
        <style>
        body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
        header{background:#1d2330;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center}
        header a{color:#cfe0ff;text-decoration:none}header .who{margin-left:auto}
        main{max-width:72rem;margin:0 auto;padding:1rem}
        table{border-collapse:collapse;width:100%;background:#fff;display:block;overflow-x:auto}
        th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e3e6eb;vertical-align:top}
        .ok{color:#1a7f37}.fail{color:#b42318}.muted{color:#667085}code{word-break:break-all}
        form.inline{display:inline}button{padding:.3rem .7rem}input,select{padding:.25rem}
        .card{background:#fff;border:1px solid #e3e6eb;border-radius:6px;padding:.8rem;margin:.6rem 0}
        .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));gap:.6rem}
        .flash{background:#fff4d6;border:1px solid #f0c36d;padding:.5rem .8rem;border-radius:6px}
        </style></head><body>
        <header><strong>NeuroSwarm</strong>
        {{#user}}<nav><a href="/">Overview</a> · <a href="/jobs">Jobs</a> · <a href="/dlq">Dead letters</a> · <a href="/chain">Chain</a> · <a href="/validators">Validators</a> · <a href="/audit">Audit</a>{{#isAdmin}} · <a href="/sessions">Sessions</a>{{/isAdmin}}</nav>
        <span class="who">{{subject}} ({{role}})
        <form class="inline" method="post" action="/logout"><input type="hidden" name="csrf" value="{{csrf}}"><button>Sign out</button></form></span>{{/user}}
        </header><main>
        {{#flash}}<p class="flash">{{flash}}</p>{{/flash}}
        {{{body}}}
        </main></body></html>
        """

    static let login = """
        <h1>Sign in</h1>
        {{#error}}<p class="flash">{{error}}</p>{{/error}}
        <form method="post" action="/login" class="card">
        <p><label for="token">Operator token (<code>nsctl token create --admin --role viewer|operator|admin --sub NAME</code>)</label></p>
        <p><textarea id="token" name="token" rows="4" style="width:100%" required autocomplete="off"></textarea></p>
        <input type="hidden" name="next" value="{{next}}">
        <p><button id="sign-in">Sign in</button></p>
        </form>
        """

    static let error = """
        <h1>{{title}}</h1><p>{{detail}}</p><p><a href="/">Back to the overview</a></p>
        """

    static let confirm = """
        <h1>Confirm: {{label}}</h1>
        <div class="card"><p>{{description}}</p>
        <form method="post" action="{{action}}">
        {{#fields}}<input type="hidden" name="{{name}}" value="{{value}}">{{/fields}}
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="confirm" value="yes">
        <button id="confirm">Yes, {{label}}</button> <a href="{{back}}">Cancel</a>
        </form></div>
        """

    static let overview = """
        <h1>Overview</h1>
        <div class="grid">
        <div class="card"><div class="muted">Block height</div><strong id="height">{{height}}</strong></div>
        <div class="card"><div class="muted">Mempool</div><strong id="mempool">{{mempool}}</strong> transactions</div>
        <div class="card"><div class="muted">Dead letters</div><strong id="dlq">{{dlq}}</strong> <a href="/dlq">view</a></div>
        <div class="card"><div class="muted">Queue</div><strong>{{#paused}}paused{{/paused}}{{^paused}}running{{/paused}}</strong></div>
        </div>
        <h2>Nodes</h2>
        <table><tr><th>Node</th><th>Status</th><th>Latency</th><th>Detail</th></tr>
        {{#nodes}}<tr><td>{{name}}</td><td class="{{#ok}}ok{{/ok}}{{^ok}}fail{{/ok}}">{{status}}</td><td>{{latency}}</td><td>{{detail}}</td></tr>{{/nodes}}
        </table>
        <h2>Jobs by state</h2>
        <table><tr>{{#counts}}<th>{{state}}</th>{{/counts}}</tr><tr>{{#counts}}<td>{{count}}</td>{{/counts}}</tr></table>
        <h2>Rates</h2>
        <p>{{rates}}</p>
        """
}
