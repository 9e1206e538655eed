/**
 * Generated from the service's OpenAPI document (GET /docs-json) by
 * libs/client/scripts/generate-types.ts: do not edit. `npm run build` writes
 * it again; a test fails when the committed file differs from the document
 * the running service serves.
 */

export interface paths {
    "/v1/executions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ExecutionsController_list"];
        put?: never;
        /**
         * Queue a job; with ?wait=true, wait for its result; with Accept: text/event-stream, follow its events
         * @description With `Accept: text/event-stream` the answer is the execution's event stream itself, as `GET /v1/executions/{id}/events` serves it, with the id in the `X-Execution-Id` header and in the first event.
         *
         *     Server-Sent Events (`text/event-stream`). Each event has an `id` (1, 2, 3 ... per execution), an `event` type and one `data:` line of JSON:
         *     - `status`: `{"status": "queued", "id"}` (always event 1), then `{"status": "running", "workerId"}` when a worker starts it;
         *     - `stdout`, `stderr`: `{"text"}`, the program's output as it writes it (UTF-8; invalid bytes replaced by U+FFFD, as in the result), held at most about 50 ms; each stream up to the execution's `outputBytes`, as in the result;
         *     - `display`: `{"mime", "data"}`, an item of the result's `displays`, as it is accepted;
         *     - `result`: the whole result, exactly as `GET` answers it. The stream ends after it.
         *     Send `Last-Event-ID` (or `?lastEventId=`) to resume after that event: nothing is lost or repeated; past the `result`, the answer is 204. A subscriber that comes late gets everything from the start, as long as the result is kept. Comments (`: keep-alive`) are sent while nothing happens. One key holds at most API_MAX_EVENT_STREAMS_PER_KEY streams open on an API process (429), and the process API_MAX_EVENT_STREAMS (503).
         */
        post: operations["ExecutionsController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["ExecutionsController_createBatch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The execution's events, live: status, output as it is written, the result
         * @description Server-Sent Events (`text/event-stream`). Each event has an `id` (1, 2, 3 ... per execution), an `event` type and one `data:` line of JSON:
         *     - `status`: `{"status": "queued", "id"}` (always event 1), then `{"status": "running", "workerId"}` when a worker starts it;
         *     - `stdout`, `stderr`: `{"text"}`, the program's output as it writes it (UTF-8; invalid bytes replaced by U+FFFD, as in the result), held at most about 50 ms; each stream up to the execution's `outputBytes`, as in the result;
         *     - `display`: `{"mime", "data"}`, an item of the result's `displays`, as it is accepted;
         *     - `result`: the whole result, exactly as `GET` answers it. The stream ends after it.
         *     Send `Last-Event-ID` (or `?lastEventId=`) to resume after that event: nothing is lost or repeated; past the `result`, the answer is 204. A subscriber that comes late gets everything from the start, as long as the result is kept. Comments (`: keep-alive`) are sent while nothing happens. One key holds at most API_MAX_EVENT_STREAMS_PER_KEY streams open on an API process (429), and the process API_MAX_EVENT_STREAMS (503).
         */
        get: operations["ExecutionsController_events"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ExecutionsController_get"];
        put?: never;
        post?: never;
        delete: operations["ExecutionsController_cancel"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/execute": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Same as POST /v1/executions?wait=true */
        post: operations["LegacyExecuteController_execute"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/limits": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The calling key's limits
         * @description The defaults a job gets, the maxima it may ask for (the key's own, never above the server's), and request size limits.
         */
        get: operations["LimitsController_limits"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/environments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["EnvironmentsController_list"];
        put?: never;
        post: operations["EnvironmentsController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/environments/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["EnvironmentsController_get"];
        put?: never;
        post?: never;
        delete: operations["EnvironmentsController_remove"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/environments/{name}/build-log": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The latest build log as Server-Sent Events
         * @description Replays the log, then streams new lines until the build ends. Events: `log` (data: one line), `end` (data: {"status","error"}). Comments keep the connection alive; send Last-Event-ID to resume.
         */
        get: operations["EnvironmentsController_buildLog"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The key's sessions: open ones, and those ended within the retention time, newest first */
        get: operations["SessionsController_list"];
        put?: never;
        /**
         * Start a session: one Python interpreter that keeps its state between cells
         * @description Answers once the session is ready. It runs in a container as locked down as a job, taken from the warm pool when one of its environment waits there.
         */
        post: operations["SessionsController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One open session: status, times, cells run, memory use */
        get: operations["SessionsController_get"];
        put?: never;
        post?: never;
        /** Close a session: its container is removed, a cell running in it is stopped */
        delete: operations["SessionsController_remove"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/{id}/executions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run a cell in the session's namespace
         * @description Cells run one at a time, in the order they were sent. The result is a job's, plus `result` (the value of a trailing expression) and `displays`.
         */
        post: operations["SessionsController_submit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/{id}/executions/{executionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A cell of the session, as for a job */
        get: operations["SessionsController_getExecution"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/{id}/executions/{executionId}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A cell's events, live: status, output as it is written, displays, the result
         * @description Server-Sent Events (`text/event-stream`). Each event has an `id` (1, 2, 3 ... per execution), an `event` type and one `data:` line of JSON:
         *     - `status`: `{"status": "queued", "id"}` (always event 1), then `{"status": "running", "workerId"}` when a worker starts it;
         *     - `stdout`, `stderr`: `{"text"}`, the program's output as it writes it (UTF-8; invalid bytes replaced by U+FFFD, as in the result), held at most about 50 ms; each stream up to the execution's `outputBytes`, as in the result;
         *     - `display`: `{"mime", "data"}`, an item of the result's `displays`, as it is accepted;
         *     - `result`: the whole result, exactly as `GET` answers it. The stream ends after it.
         *     Send `Last-Event-ID` (or `?lastEventId=`) to resume after that event: nothing is lost or repeated; past the `result`, the answer is 204. A subscriber that comes late gets everything from the start, as long as the result is kept. Comments (`: keep-alive`) are sent while nothing happens. One key holds at most API_MAX_EVENT_STREAMS_PER_KEY streams open on an API process (429), and the process API_MAX_EVENT_STREAMS (503).
         */
        get: operations["SessionsController_executionEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/{id}/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The regular files in the session's working directory, with their sizes */
        get: operations["SessionFilesController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/{id}/files/{path}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A file of the session's working directory, as its bytes
         * @description Only regular files, never through a link, at most SANDBOX_MAX_OUTPUT_FILE_BYTES. Served as a download (Content-Disposition: attachment), never rendered as a page.
         */
        get: operations["SessionFilesController_get"];
        /**
         * Write a file in the session's working directory from the raw body
         * @description Replaces a regular file, makes missing directories; never writes through a link.
         */
        put: operations["SessionFilesController_put"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["KeysController_list"];
        put?: never;
        post: operations["KeysController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["KeysController_get"];
        put?: never;
        post?: never;
        delete: operations["KeysController_revoke"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{id}/webhook-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["KeysController_rotateWebhookSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["HealthController_live"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["HealthController_ready"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        InputFileDto: {
            /**
             * @description Relative path under the working directory; no "..", no absolute paths.
             * @example data/in.csv
             */
            path: string;
            /**
             * @example a,b
             *     1,2
             */
            content: string;
            /**
             * @default utf8
             * @enum {string}
             */
            encoding?: "utf8" | "base64";
        };
        LimitsDto: {
            /**
             * @description Wall-clock limit in milliseconds.
             * @example 10000
             */
            timeoutMs?: number;
            /** @example 256 */
            memoryMb?: number;
            /** @example 1 */
            cpus?: number;
            /** @example 64 */
            pids?: number;
            /**
             * @description Cap on stdout and on stderr, each.
             * @example 1048576
             */
            outputBytes?: number;
        };
        WebhookDto: {
            /**
             * @description Receives the final result (the JSON GET answers) as a signed POST (Standard Webhooks: Webhook-Id, Webhook-Timestamp, Webhook-Signature, with the API key's webhook secret). http or https; the host must resolve to public addresses only.
             * @example https://example.com/hooks/sandbox
             */
            url: string;
        };
        CreateExecutionDto: {
            /**
             * @description Python source, UTF-8.
             * @example print("hello")
             */
            code: string;
            /**
             * @default default
             * @example default
             */
            environment?: string;
            /** @example input line */
            stdin?: string;
            /**
             * @description Passed as sys.argv[1:].
             * @example [
             *       "a",
             *       "b"
             *     ]
             */
            args?: string[];
            files?: components["schemas"]["InputFileDto"][];
            limits?: components["schemas"]["LimitsDto"];
            /**
             * @description Refused unless the server allows network access.
             * @example false
             */
            network?: boolean;
            /** @description Where to POST the result once it is final. */
            webhook?: components["schemas"]["WebhookDto"];
        };
        OutputFileDto: {
            /** @example plot.png */
            path: string;
            /** @example 1234 */
            size: number;
            /**
             * @description base64
             * @example iVBORw0KGgo=
             */
            content: string;
        };
        UsageDto: {
            /** @example 12 */
            wallMs: number;
            /** @example 9 */
            cpuMs: number;
            /** @example 9437184 */
            peakMemoryBytes: number;
        };
        ReproducibilityStampDto: {
            /**
             * @description The environment version (null for default).
             * @example 3f2a9c0d1e7b4a56
             */
            specHash: string | null;
            /**
             * @description Content digest of the image (the engine image id, sha256 of its config): equal on every host that pulled the same image from the registry; two builds of one spec on two hosts differ.
             * @example sha256:4b1c0d9a…
             */
            digest: string;
            /**
             * @description Content digest of the image it was built on, when it records one.
             * @example sha256:ac8d7765…
             */
            baseDigest: string | null;
        };
        ExecutionValueDto: {
            /**
             * @description The value's repr.
             * @example 42
             */
            "text/plain": string;
            /**
             * @description When the value has _repr_html_ (a pandas DataFrame).
             * @example <table>…</table>
             */
            "text/html"?: string;
        };
        DisplayDto: {
            /**
             * @description image/png for a matplotlib figure; text/html, text/plain…
             * @example image/png
             */
            mime: string;
            /**
             * @description base64 for images (but SVG), text for anything else.
             * @example iVBORw0KGgo=
             */
            data: string;
        };
        WebhookDeliveryDto: {
            /** @example https://example.com/hooks/sandbox */
            url: string;
            /**
             * @description pending until a receiver answers 2xx (delivered), or every try has failed (failed).
             * @enum {string}
             */
            status: "pending" | "delivered" | "failed";
            /**
             * @description Tries so far, at most WEBHOOK_MAX_ATTEMPTS.
             * @example 1
             */
            attempts: number;
            /**
             * @description Why the latest try failed.
             * @example null
             */
            lastError: string | null;
            /** @example 2025-01-01T12:00:01.000Z */
            deliveredAt: string | null;
        };
        ExecutionResultDto: {
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            status: "queued" | "running" | "succeeded" | "failed" | "timeout" | "oom" | "output_limit" | "cancelled" | "error";
            /** @example 0 */
            exitCode: number | null;
            /** @example null */
            signal: string | null;
            /**
             * @description Invalid UTF-8 is replaced by U+FFFD.
             * @example hello
             */
            stdout: string;
            /** @example  */
            stderr: string;
            stdoutTruncated: boolean;
            stderrTruncated: boolean;
            /** @description Files created or changed under the working directory. */
            files: components["schemas"]["OutputFileDto"][];
            /** @description True when some output files were left out (caps, links, odd names). */
            filesTruncated: boolean;
            usage: components["schemas"]["UsageDto"] | null;
            /** @example default */
            environment: string;
            createdAt: string;
            startedAt: string | null;
            finishedAt: string | null;
            /** @description The worker that ran the job. */
            workerId: string | null;
            /** @description Which bits the job ran in; null until a worker has picked its image, and when nothing ran. */
            reproducibility: components["schemas"]["ReproducibilityStampDto"] | null;
            /** @description Only for status "error": what went wrong in the service. */
            error?: string;
            /** @description Session cells only: the value of the cell's trailing expression, null when it has none. */
            result?: components["schemas"]["ExecutionValueDto"] | null;
            /** @description display() calls and the matplotlib figures left open (as image/png), in order. */
            displays?: components["schemas"]["DisplayDto"][];
            /** @description True when some displays were left out (their count or size went past the caps). */
            displaysTruncated?: boolean;
            /** @description Only for a job submitted with a webhook: where its result is POSTed, and how that stands. */
            webhook?: components["schemas"]["WebhookDeliveryDto"];
        };
        ExecutionAcceptedDto: {
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            status: "queued";
        };
        CreateExecutionBatchDto: {
            /**
             * @description At most MAX_BATCH (default 100) executions, each as POST /v1/executions takes it. All are queued, or none: one invalid item refuses the batch, and the messages name items by index (executions.3.limits.memoryMb ...).
             * @example [
             *       {
             *         "code": "print(1)"
             *       },
             *       {
             *         "code": "print(2)",
             *         "limits": {
             *           "timeoutMs": 2000
             *         }
             *       }
             *     ]
             */
            executions: components["schemas"]["CreateExecutionDto"][];
        };
        BatchAcceptedDto: {
            /**
             * @description The ids of the queued executions, in the order of the batch.
             * @example [
             *       "0d7c4a0e-6f5e-4f43-9d57-1a2b3c4d5e6f",
             *       "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
             *     ]
             */
            ids: string[];
        };
        ExecutionHistoryEntryDto: {
            /** Format: uuid */
            id: string;
            /**
             * @example succeeded
             * @enum {string}
             */
            status: "queued" | "running" | "succeeded" | "failed" | "timeout" | "oom" | "output_limit" | "cancelled" | "error";
            /** @example default */
            environment: string;
            /** @example 2025-01-01T12:00:00.000Z */
            createdAt: string;
            /** @example 2025-01-01T12:00:00.120Z */
            startedAt?: string;
            /** @example 2025-01-01T12:00:00.180Z */
            finishedAt?: string;
            /** @example 0 */
            exitCode?: number;
            /**
             * @description From start to finish, in ms.
             * @example 60
             */
            durationMs?: number;
        };
        ExecutionHistoryPageDto: {
            /** @description Newest first; summaries only (no output). With ?ids=, full results (or null) instead, in the order asked. */
            items: components["schemas"]["ExecutionHistoryEntryDto"][];
            /**
             * @description Pass as ?cursor= for the next page; null on the last. Not given with ?ids=.
             * @example 8262318727015:0d7c4a0e-6f5e-4f43-9d57-1a2b3c4d5e6f
             */
            nextCursor?: string | null;
        };
        LimitValuesDto: {
            /**
             * @description Wall-clock limit in milliseconds.
             * @example 10000
             */
            timeoutMs: number;
            /** @example 256 */
            memoryMb: number;
            /** @example 1 */
            cpus: number;
            /** @example 64 */
            pids: number;
            /**
             * @description Cap on stdout and on stderr, each.
             * @example 1048576
             */
            outputBytes: number;
        };
        RequestSizeLimitsDto: {
            /**
             * @description Bytes of code, UTF-8.
             * @example 1048576
             */
            codeBytes: number;
            /**
             * @description Bytes of stdin, UTF-8.
             * @example 1048576
             */
            stdinBytes: number;
            /** @example 256 */
            args: number;
            /**
             * @description Bytes of each argument.
             * @example 4096
             */
            argBytes: number;
            /** @example 100 */
            inputFiles: number;
            /**
             * @description Bytes of all input files together, decoded.
             * @example 10485760
             */
            inputFileBytes: number;
        };
        ExecutionLimitsDto: {
            /** @description What a job of this key gets for each limit it does not set. */
            defaults: components["schemas"]["LimitValuesDto"];
            /** @description The most this key may ask for: its own maxima, never above the server's. */
            max: components["schemas"]["LimitValuesDto"];
            /** @description The most one request may carry. */
            request: components["schemas"]["RequestSizeLimitsDto"];
        };
        CreateEnvironmentDto: {
            /**
             * @description Unique; also the `environment` of jobs that run in it.
             * @example datascience
             */
            name: string;
            /**
             * @description With conda: the interpreter conda installs. Without: the build checks that the base image has this version.
             * @example 3.11
             */
            python?: string;
            /**
             * @description conda packages (MatchSpec: name, name=version[=build], name>=a,<b), installed with micromamba.
             * @example [
             *       "numpy=1.26",
             *       "pandas"
             *     ]
             */
            conda?: string[];
            /**
             * @description conda channel names, in priority order; default conda-forge.
             * @example [
             *       "conda-forge"
             *     ]
             */
            channels?: string[];
            /**
             * @description pip requirements (PEP 508 without URLs or markers).
             * @example [
             *       "requests==2.32.3"
             *     ]
             */
            pip?: string[];
            /**
             * @description Debian packages (name or name=version), for Debian-based bases.
             * @example [
             *       "python3-numpy"
             *     ]
             */
            apt?: string[];
            /**
             * @description The ready environment whose image this one is built on.
             * @default default
             * @example default
             */
            base?: string;
        };
        EnvironmentAcceptedDto: {
            /** @example datascience */
            name: string;
            /**
             * @example building
             * @enum {string}
             */
            status: "building" | "ready" | "failed";
            /** @example 3f2a9c0d1e7b4a56 */
            specHash: string;
        };
        EnvironmentSpecDto: {
            /** @example 3.11 */
            python: string | null;
            conda: string[];
            channels: string[];
            /**
             * @example [
             *       "requests==2.32.3"
             *     ]
             */
            pip: string[];
            apt: string[];
            /** @example default */
            base: string;
        };
        EnvironmentDto: {
            /** @example datascience */
            name: string;
            /**
             * @description Of the latest submitted version.
             * @enum {string}
             */
            status: "building" | "ready" | "failed";
            /** @description Of the latest submitted version (null for default). */
            specHash: string | null;
            spec: components["schemas"]["EnvironmentSpecDto"] | null;
            /** @description Why the latest build failed. */
            error: string | null;
            /** @description The version jobs run in now; differs from specHash while a new version builds or after it failed. */
            activeSpecHash: string | null;
            /** @example simplepysandbox/env:datascience-3f2a9c0d1e7b4a56 */
            image: string | null;
            /**
             * @description Content digest of the active image.
             * @example sha256:…
             */
            imageId: string | null;
            /**
             * @description Manifest digest of the active version in the registry (REGISTRY_URL/<repository>@<digest>), which every worker pulls; null when it was built without a registry, and then each worker builds its own.
             * @example sha256:9d0e…
             */
            registryDigest: string | null;
            /** @description The active version as a result stamps it: a job that ran in exactly these bits carries the same. */
            reproducibility: components["schemas"]["ReproducibilityStampDto"] | null;
            /** @example 612345678 */
            sizeBytes: number | null;
            /** @description Null for default. */
            createdAt: string | null;
            builtAt: string | null;
            lastUsedAt: string | null;
            /** @description True for the environments the service comes with. */
            builtin: boolean;
        };
        EnvironmentDetailDto: {
            /** @example datascience */
            name: string;
            /**
             * @description Of the latest submitted version.
             * @enum {string}
             */
            status: "building" | "ready" | "failed";
            /** @description Of the latest submitted version (null for default). */
            specHash: string | null;
            spec: components["schemas"]["EnvironmentSpecDto"] | null;
            /** @description Why the latest build failed. */
            error: string | null;
            /** @description The version jobs run in now; differs from specHash while a new version builds or after it failed. */
            activeSpecHash: string | null;
            /** @example simplepysandbox/env:datascience-3f2a9c0d1e7b4a56 */
            image: string | null;
            /**
             * @description Content digest of the active image.
             * @example sha256:…
             */
            imageId: string | null;
            /**
             * @description Manifest digest of the active version in the registry (REGISTRY_URL/<repository>@<digest>), which every worker pulls; null when it was built without a registry, and then each worker builds its own.
             * @example sha256:9d0e…
             */
            registryDigest: string | null;
            /** @description The active version as a result stamps it: a job that ran in exactly these bits carries the same. */
            reproducibility: components["schemas"]["ReproducibilityStampDto"] | null;
            /** @example 612345678 */
            sizeBytes: number | null;
            /** @description Null for default. */
            createdAt: string | null;
            builtAt: string | null;
            lastUsedAt: string | null;
            /** @description True for the environments the service comes with. */
            builtin: boolean;
            /** @description The last 200 lines of the latest build log. */
            buildLog?: string[];
            /** @description What the latest spec renders to. */
            dockerfile?: string | null;
            /** @description Live workers whose engine has the image jobs run in. */
            availableOn?: string[];
        };
        CreateSessionDto: {
            /**
             * @default default
             * @example datascience
             */
            environment?: string;
            /** @description As for a job: memory, CPUs and processes of the session's container, the output cap of each cell, and timeoutMs, the time limit of a cell that sets none. Each within the key's maxima. */
            limits?: components["schemas"]["LimitsDto"];
            /**
             * @description Seconds without a cell running or waiting after which the session is closed. Default and maximum: the server's.
             * @example 600
             */
            idleTimeoutSeconds?: number;
            /**
             * @description Seconds after its creation at which the session is closed, busy or not. Default and maximum: the server's.
             * @example 3600
             */
            maxLifetimeSeconds?: number;
            /** @description Written to the working directory before the first cell. */
            files?: components["schemas"]["InputFileDto"][];
        };
        SessionDto: {
            /** Format: uuid */
            id: string;
            /**
             * @example ready
             * @enum {string}
             */
            status: "starting" | "ready" | "busy" | "closed" | "dead" | "lost";
            /**
             * @description Why the session is closed, dead or lost, e.g. "idle for 600 s".
             * @example null
             */
            reason: string | null;
            /** @example default */
            environment: string;
            /**
             * @description The worker that holds its container.
             * @example host-1234-ab12cd
             */
            workerId: string;
            /** @example 2030-01-01T00:00:00.000Z */
            createdAt: string;
            /**
             * @description When its last cell ended (or it started).
             * @example 2030-01-01T00:00:00.000Z
             */
            lastUsedAt: string;
            /**
             * @description When its lifetime ends.
             * @example 2030-01-01T01:00:00.000Z
             */
            expiresAt: string;
            /**
             * @description When it closes if no cell comes before.
             * @example 2030-01-01T00:10:00.000Z
             */
            idleExpiresAt: string;
            /** @example 600 */
            idleTimeoutSeconds: number;
            /** @example 3600 */
            maxLifetimeSeconds: number;
            /** @example 3 */
            executionCount: number;
            /**
             * @description The container's memory use at its last report (after each cell, and every few seconds while idle).
             * @example 31457280
             */
            memoryBytes: number | null;
            limits: components["schemas"]["LimitValuesDto"];
            /** @example null */
            endedAt: string | null;
        };
        SessionGoneDto: {
            /** @example 410 */
            statusCode: number;
            /** @example session 4b0c… is closed: idle for 600 s */
            message: string;
            /** @example Gone */
            error: string;
            /** @enum {string} */
            status: "closed" | "dead" | "lost";
            /** @example idle for 600 s */
            reason: string;
        };
        CreateSessionExecutionDto: {
            /**
             * @description Python source, run in the session's namespace; a trailing expression's value is the result.
             * @example x = 41
             *     x + 1
             */
            code: string;
            /**
             * @description The cell's stdin.
             * @example input line
             */
            stdin?: string;
            /**
             * @description Wall-clock limit of this cell in milliseconds; the session's limits.timeoutMs when missing. Past it the cell gets KeyboardInterrupt.
             * @example 10000
             */
            timeoutMs?: number;
        };
        SessionFileDto: {
            /** @example data/in.csv */
            path: string;
            /** @example 1234 */
            size: number;
        };
        SessionFilesDto: {
            /** @description Regular files under the working directory; never links. */
            files: components["schemas"]["SessionFileDto"][];
            /** @description True when some were left out (the listing cap, odd names). */
            truncated: boolean;
        };
        KeyQuotasDto: {
            /**
             * @description Requests per minute, on every route. Default: QUOTA_RATE_PER_MINUTE.
             * @example 120
             */
            ratePerMinute?: number;
            /**
             * @description Executions queued or running at once. Default: QUOTA_MAX_IN_FLIGHT.
             * @example 10
             */
            maxInFlight?: number;
            /**
             * @description Bytes its finished results may hold before new submissions get 429 (until some expire or are deleted). Default: QUOTA_MAX_STORED_BYTES.
             * @example 268435456
             */
            maxStoredBytes?: number;
            /**
             * @description Requests served at once by one API process, long polls and event streams included. Default: QUOTA_MAX_CONCURRENT_REQUESTS.
             * @example 20
             */
            maxConcurrentRequests?: number;
            /**
             * @description Sessions open at once. Default: QUOTA_MAX_SESSIONS.
             * @example 5
             */
            maxSessions?: number;
            /** @description The highest limits this key may ask for; never above the server maxima. */
            maxLimits?: components["schemas"]["LimitsDto"];
        };
        CreateApiKeyDto: {
            /**
             * @description Unique; letters, digits and _ . @ -, at most 64.
             * @example alice
             */
            name: string;
            /**
             * @default user
             * @enum {string}
             */
            role?: "admin" | "user";
            quotas?: components["schemas"]["KeyQuotasDto"];
        };
        CreatedApiKeyDto: {
            /** @example 3f2a9c0d1b7e4a66 */
            id: string;
            /** @example alice */
            name: string;
            /** @enum {string} */
            role: "admin" | "user";
            quotas: components["schemas"]["KeyQuotasDto"];
            createdAt: string;
            /**
             * @description The key itself: shown this once, stored only as a hash.
             * @example sps_…
             */
            key: string;
            /**
             * @description Signs this key's webhooks (Standard Webhooks: HMAC-SHA256 keyed with the base64 after whsec_); shown this once.
             * @example whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
             */
            webhookSecret: string;
        };
        ApiKeyDto: {
            /** @example 3f2a9c0d1b7e4a66 */
            id: string;
            /** @example alice */
            name: string;
            /** @enum {string} */
            role: "admin" | "user";
            quotas: components["schemas"]["KeyQuotasDto"];
            createdAt: string;
        };
        WebhookSecretDto: {
            /** @example 3f2a9c0d1b7e4a66 */
            id: string;
            /** @example alice */
            name: string;
            /**
             * @description Signs this key's webhooks (Standard Webhooks: HMAC-SHA256 keyed with the base64 after whsec_); shown this once.
             * @example whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
             */
            webhookSecret: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    ExecutionsController_list: {
        parameters: {
            query?: {
                /** @description Comma-separated ids, at most MAX_BATCH: their full results, in this order, null for an unknown one or one of another key. */
                ids?: string;
                limit?: number;
                /** @description The previous page's nextCursor. */
                cursor?: string;
                status?: "queued" | "running" | "succeeded" | "failed" | "timeout" | "oom" | "output_limit" | "cancelled" | "error";
                environment?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The calling key's executions, newest first, as summaries; with ?ids=, those executions' full results (null for unknown) in order. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecutionHistoryPageDto"];
                };
            };
            /** @description A query parameter is invalid; the message names it. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    ExecutionsController_create: {
        parameters: {
            query?: {
                /** @description Hold the request until the job is final or the wait cap runs out. */
                wait?: "true" | "false";
            };
            header?: {
                /** @description Up to 255 printable ASCII characters. The same key with the same body, from the same API key within 24 h, answers the same execution(s) with Idempotent-Replayed: true and never runs them again; with another body, 422. */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateExecutionDto"];
            };
        };
        responses: {
            /** @description With ?wait=true: the final result. With `Accept: text/event-stream`: the event stream (`text/event-stream`), described above. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecutionResultDto"];
                };
            };
            /** @description Queued; poll the Location. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecutionAcceptedDto"];
                };
            };
            /** @description Validation failed; the messages name the fields. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The body is larger than the server accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The Idempotency-Key was used before with another body. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Over the key's request rate or its executions in flight, or its event streams; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    ExecutionsController_createBatch: {
        parameters: {
            query?: never;
            header?: {
                /** @description Up to 255 printable ASCII characters. The same key with the same body, from the same API key within 24 h, answers the same execution(s) with Idempotent-Replayed: true and never runs them again; with another body, 422. */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateExecutionBatchDto"];
            };
        };
        responses: {
            /** @description Every execution is queued; the ids are in order. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchAcceptedDto"];
                };
            };
            /** @description Some item is invalid (named by index, executions.3.limits.memoryMb ...), or the batch is too long: nothing was queued. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The Idempotency-Key was used before with another body. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The batch would take the key past its executions in flight, or its storage budget is spent: nothing was queued. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    ExecutionsController_events: {
        parameters: {
            query?: {
                /** @description The id of the last event received, as the Last-Event-ID header sends it; the header wins. */
                lastEventId?: unknown;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The event stream; see the description for its events. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example id: 1
                     *     event: status
                     *     data: {"status":"queued","id":"4b0c…"}
                     *
                     *     id: 2
                     *     event: status
                     *     data: {"status":"running","workerId":"host-1234-ab12cd"}
                     *
                     *     id: 3
                     *     event: stdout
                     *     data: {"text":"epoch 1\n"}
                     *
                     *     id: 4
                     *     event: result
                     *     data: {"id":"4b0c…","status":"succeeded","exitCode":0,"stdout":"epoch 1\n",…}
                     */
                    "text/event-stream": string;
                };
            };
            /** @description Last-Event-ID is the result or past it: there is nothing more to send. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Last-Event-ID is not a non-negative integer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unknown or expired id, or an execution of another key. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The key holds API_MAX_EVENT_STREAMS_PER_KEY streams open here already. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description This API process holds API_MAX_EVENT_STREAMS streams open already. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    ExecutionsController_get: {
        parameters: {
            query?: {
                /** @description Hold the request until the job is final or the wait cap runs out. */
                wait?: "true" | "false";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecutionResultDto"];
                };
            };
            /** @description Unknown or expired id, or an execution of another key. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    ExecutionsController_cancel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Cancelled: a queued job never runs, a running one is killed; the answer is its result. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecutionResultDto"];
                };
            };
            /** @description It was already final: it is deleted, with its output and files, and its bytes are freed. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unknown, deleted or expired id, or an execution of another key. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description It finished before it could be cancelled. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    LegacyExecuteController_execute: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateExecutionDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecutionResultDto"];
                };
            };
        };
    };
    LimitsController_limits: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecutionLimitsDto"];
                };
            };
        };
    };
    EnvironmentsController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EnvironmentDto"][];
                };
            };
        };
    };
    EnvironmentsController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateEnvironmentDto"];
            };
        };
        responses: {
            /** @description The same spec is already building or ready: nothing new was started. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EnvironmentAcceptedDto"];
                };
            };
            /** @description A build started; follow it at /v1/environments/{name}/build-log. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EnvironmentAcceptedDto"];
                };
            };
            /** @description Validation failed; the messages name the fields, e.g. "pip.0 must be a pip requirement ...". */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The key is not an admin key. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The name is "default", or the base is not ready. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    EnvironmentsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EnvironmentDetailDto"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    EnvironmentsController_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed, with its images on every worker (an image a running job uses goes when the job ends). */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The key is not an admin key. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description "default" cannot be deleted, nor an environment others are built on. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    EnvironmentsController_buildLog: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An event stream. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    SessionsController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionDto"][];
                };
            };
        };
    };
    SessionsController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateSessionDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionDto"];
                };
            };
            /** @description Validation failed; the messages name the fields. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The environment is still building, or failed to build. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The key has QUOTA_MAX_SESSIONS (or its own maximum) open; see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No worker has room, or the session could not start; the message says why. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    SessionsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionDto"];
                };
            };
            /** @description Unknown or expired id, or a session of another key. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The session is closed, dead or lost; `reason` says why. */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionGoneDto"];
                };
            };
        };
    };
    SessionsController_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Closed, and its container gone. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unknown or expired id, or a session of another key. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The session is closed, dead or lost; `reason` says why. */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionGoneDto"];
                };
            };
        };
    };
    SessionsController_submit: {
        parameters: {
            query?: {
                /** @description Hold the request until the cell is final or the wait cap runs out. */
                wait?: "true" | "false";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateSessionExecutionDto"];
            };
        };
        responses: {
            /** @description With ?wait=true: the final result. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecutionResultDto"];
                };
            };
            /** @description Queued; poll the Location. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecutionAcceptedDto"];
                };
            };
            /** @description Validation failed; the messages name the fields. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unknown or expired id, or a session of another key. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The session is closed, dead or lost; `reason` says why. */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionGoneDto"];
                };
            };
            /** @description The session's queue is full (SESSION_MAX_QUEUED_CELLS); see Retry-After. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    SessionsController_getExecution: {
        parameters: {
            query?: {
                /** @description Hold the request until the cell is final or the wait cap runs out. */
                wait?: "true" | "false";
            };
            header?: never;
            path: {
                id: string;
                executionId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecutionResultDto"];
                };
            };
            /** @description Unknown or expired id, or a cell of another session or key. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    SessionsController_executionEvents: {
        parameters: {
            query?: {
                /** @description The id of the last event received, as the Last-Event-ID header sends it; the header wins. */
                lastEventId?: unknown;
            };
            header?: never;
            path: {
                id: string;
                executionId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The event stream; see the description for its events. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example id: 1
                     *     event: status
                     *     data: {"status":"queued","id":"4b0c…"}
                     *
                     *     id: 2
                     *     event: status
                     *     data: {"status":"running","workerId":"host-1234-ab12cd"}
                     *
                     *     id: 3
                     *     event: stdout
                     *     data: {"text":"epoch 1\n"}
                     *
                     *     id: 4
                     *     event: result
                     *     data: {"id":"4b0c…","status":"succeeded","exitCode":0,"stdout":"epoch 1\n",…}
                     */
                    "text/event-stream": string;
                };
            };
            /** @description Last-Event-ID is the result or past it: there is nothing more to send. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Last-Event-ID is not a non-negative integer. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unknown or expired id, or a cell of another session or key. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The key holds API_MAX_EVENT_STREAMS_PER_KEY streams open here already. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description This API process holds API_MAX_EVENT_STREAMS streams open already. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    SessionFilesController_list: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionFilesDto"];
                };
            };
            /** @description Unknown or expired id, or a session of another key. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The session is closed, dead or lost; `reason` says why. */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionGoneDto"];
                };
            };
        };
    };
    SessionFilesController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                /** @description The file, relative to the working directory: no "." or ".." segments, no backslashes, no control characters. */
                path: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file's bytes. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                    "image/png": string;
                    "text/plain": string;
                    "text/csv": string;
                    "application/json": string;
                };
            };
            /** @description No such file, or an unknown session. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The path is a link, under one, or not a regular file. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The session is closed, dead or lost; `reason` says why. */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": components["schemas"]["SessionGoneDto"];
                    "image/png": components["schemas"]["SessionGoneDto"];
                    "text/plain": components["schemas"]["SessionGoneDto"];
                    "text/csv": components["schemas"]["SessionGoneDto"];
                    "application/json": components["schemas"]["SessionGoneDto"];
                };
            };
            /** @description Larger than SANDBOX_MAX_OUTPUT_FILE_BYTES. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    SessionFilesController_put: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                /** @description The file, relative to the working directory: no "." or ".." segments, no backslashes, no control characters. */
                path: string;
            };
            cookie?: never;
        };
        /** @description The file's bytes, as they are (any Content-Type). */
        requestBody: {
            content: {
                "application/json": string;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionFileDto"];
                };
            };
            /** @description The path breaks the rules; the message says which. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The path is a link, under one, or not a regular file. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The session is closed, dead or lost; `reason` says why. */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionGoneDto"];
                };
            };
            /** @description Larger than MAX_INPUT_FILES_BYTES. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    KeysController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyDto"][];
                };
            };
            /** @description The key is not an admin key. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    KeysController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateApiKeyDto"];
            };
        };
        responses: {
            /** @description The new key; `key` and `webhookSecret` are shown this once. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedApiKeyDto"];
                };
            };
            /** @description The key is not an admin key. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A key with this name exists. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    KeysController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyDto"];
                };
            };
            /** @description The key is not an admin key. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    KeysController_revoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked: the key stops working on its next request. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyDto"];
                };
            };
            /** @description The key is not an admin key. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    KeysController_rotateWebhookSecret: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A new secret for signing this key's webhooks, shown this once; deliveries from now on are signed with it alone. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookSecretDto"];
                };
            };
            /** @description The key is not an admin key. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    HealthController_live: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The API process is up. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    HealthController_ready: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
