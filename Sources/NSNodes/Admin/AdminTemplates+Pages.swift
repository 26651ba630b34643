extension AdminTemplates {
    static let jobs = """
        <h1>Jobs</h1>
        <form method="get" action="/jobs" class="card">
        <label>Job id <input name="id" value="{{id}}" size="32"></label> <button>Look up</button>
        <label>or list <select name="state">{{#states}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/states}}</select></label> <button>List</button>
        </form>
        {{#job}}<div class="card" id="job"><h2>{{id}}</h2><p>State <strong>{{state}}</strong>, priority {{priority}}, attempts {{attempts}}/{{maxAttempts}}, created {{createdAt}}</p>
        {{#errors}}<p class="fail">{{time}}: {{message}}</p>{{/errors}}
        {{#canCancel}}<form method="post" action="/jobs/cancel"><input type="hidden" name="id" value="{{id}}"><input type="hidden" name="csrf" value="{{csrf}}"><button>Cancel job</button></form>{{/canCancel}}
        </div>{{/job}}
        {{#listed}}<table><tr><th>Id</th><th>State</th><th>Priority</th><th>Attempts</th><th>Created</th></tr>
        {{#jobs}}<tr><td><a href="/jobs?id={{id}}"><code>{{id}}</code></a></td><td>{{state}}</td><td>{{priority}}</td><td>{{attempts}}</td><td>{{createdAt}}</td></tr>{{/jobs}}
        </table>{{/listed}}
        {{#canControl}}<div class="card">Queue: <form class="inline" method="post" action="/queue/pause"><input type="hidden" name="csrf" value="{{csrf}}"><button>Pause</button></form>
        <form class="inline" method="post" action="/queue/resume"><input type="hidden" name="csrf" value="{{csrf}}"><button>Resume</button></form></div>{{/canControl}}
        """

    static let deadLetters = """
        <h1>Dead-letter queue</h1>
        <p id="dlq-count">{{count}} job(s)</p>
        {{#canAct}}<form method="post" action="/dlq/retry" class="inline"><input type="hidden" name="all" value="true"><input type="hidden" name="csrf" value="{{csrf}}"><button>Retry all</button></form>
        <form method="post" action="/dlq/purge" class="inline"><input type="hidden" name="all" value="true"><input type="hidden" name="csrf" value="{{csrf}}"><button>Purge all</button></form>{{/canAct}}
        {{#entries}}<div class="card dlq-entry"><strong><code>{{id}}</code></strong> {{type}} · attempts {{attempts}} · {{updatedAt}}
        {{#errors}}<div class="fail">{{time}} [{{worker}}]: {{message}}</div>{{/errors}}
        {{#canAct}}<form method="post" action="/dlq/retry" class="inline"><input type="hidden" name="id" value="{{id}}"><input type="hidden" name="csrf" value="{{csrf}}"><button class="retry">Retry</button></form>
        <form method="post" action="/dlq/purge" class="inline"><input type="hidden" name="id" value="{{id}}"><input type="hidden" name="csrf" value="{{csrf}}"><button>Purge</button></form>{{/canAct}}
        </div>{{/entries}}
        """

    static let chain = """
        <h1>Chain</h1>
        <table><tr><th>Height</th><th>Time</th><th>Transactions</th><th>Producer</th><th>Hash</th></tr>
        {{#blocks}}<tr><td><a href="/chain/blocks/{{height}}">{{height}}</a></td><td>{{time}}</td><td>{{txCount}}</td><td>{{producer}}</td><td><code>{{hash}}</code></td></tr>{{/blocks}}
        </table>
        """

    static let block = """
        <h1>Block {{height}}</h1>
        <div class="card"><p>Hash <code>{{hash}}</code></p><p>Previous <code>{{prevHash}}</code></p><p>Time {{time}} · producer {{producer}} · log size {{logSize}}</p></div>
        <table><tr><th>Transaction</th></tr>{{#txs}}<tr><td><a href="/chain/tx/{{.}}"><code>{{.}}</code></a></td></tr>{{/txs}}</table>
        """

    static let transaction = """
        <h1>Transaction</h1>
        <div class="card"><p><code>{{hash}}</code></p><p>Block <a href="/chain/blocks/{{blockHeight}}">{{blockHeight}}</a> · leaf {{leafIndex}}</p>
        <p>Inclusion proof against tree size {{treeSize}}, root <code>{{rootHash}}</code>:</p>
        <ol>{{#proof}}<li><code>{{.}}</code></li>{{/proof}}</ol></div>
        <pre class="card" style="white-space:pre-wrap">{{body}}</pre>
        """

    static let validators = """
        <h1>Validators</h1>
        <table><tr><th>Name</th><th>Id</th><th>Public key</th><th>Status</th>{{#isAdmin}}<th></th>{{/isAdmin}}</tr>
        {{#validators}}<tr><td>{{name}}</td><td><code>{{id}}</code></td><td><code>{{publicKey}}</code></td><td>{{status}}</td>
        {{#isAdmin}}<td>{{#active}}<form method="post" action="/validators/remove"><input type="hidden" name="id" value="{{id}}"><input type="hidden" name="csrf" value="{{csrf}}"><button>Remove</button></form>{{/active}}</td>{{/isAdmin}}</tr>{{/validators}}
        </table>
        {{#isAdmin}}<form method="post" action="/validators/add" class="card"><h2>Add a validator</h2>
        <label>Name <input name="name" required></label> <label>Ed25519 public key (base64) <input name="publicKey" size="48" required></label>
        <input type="hidden" name="csrf" value="{{csrf}}"><button>Add</button><p class="muted">Takes effect from the next block.</p></form>{{/isAdmin}}
        """

    static let audit = """
        <h1>Audit log</h1>
        <p id="chain-status" class="{{#intact}}ok{{/intact}}{{^intact}}fail{{/intact}}">{{chainStatus}}</p>
        <form method="get" action="/audit" class="card"><label>Actor <input name="actor" value="{{actor}}"></label>
        <label>Action <input name="action" value="{{action}}"></label> <button>Filter</button></form>
        <table><tr><th>#</th><th>Time</th><th>Actor</th><th>Role</th><th>Source</th><th>Action</th><th>Target</th><th>Outcome</th></tr>
        {{#entries}}<tr><td>{{seq}}</td><td>{{time}}</td><td>{{actor}}</td><td>{{role}}</td><td>{{source}}</td><td>{{action}}</td><td>{{target}}</td><td>{{outcome}}</td></tr>{{/entries}}
        </table>
        """

    static let sessions = """
        <h1>Sessions</h1>
        <table><tr><th>User</th><th>Role</th><th>From</th><th>Signed in</th><th>Expires</th><th></th></tr>
        {{#sessions}}<tr><td>{{subject}}</td><td>{{role}}</td><td>{{source}}</td><td>{{createdAt}}</td><td>{{expiresAt}}</td>
        <td><form method="post" action="/sessions/revoke"><input type="hidden" name="session" value="{{idHash}}"><input type="hidden" name="csrf" value="{{csrf}}"><button>Revoke</button></form></td></tr>{{/sessions}}
        </table>
        """
}
