-- The two tables tracetail reads by default (`tracetail serve --correlate postgres://...`), as an
-- application that runs workflows of agent tasks keeps them (Prisma's naming: quoted table names,
-- enum types). Other schemas: set correlate.workflow_table, correlate.task_trace_column, ...
CREATE TYPE "WorkflowStatus" AS ENUM ('pending', 'running', 'completed', 'failed');
CREATE TYPE "TaskStatus" AS ENUM ('queued', 'running', 'completed', 'failed');

CREATE TABLE "Workflow" (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    status "WorkflowStatus" NOT NULL DEFAULT 'pending',
    trace_id text,
    current_span_id text,
    created_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE "AgentTask" (
    task_id text PRIMARY KEY,
    workflow_id uuid NOT NULL REFERENCES "Workflow" (id),
    agent_type text NOT NULL,
    status "TaskStatus" NOT NULL DEFAULT 'queued',
    trace_id text,
    span_id text,
    parent_span_id text,
    attempt integer NOT NULL DEFAULT 1,
    created_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX "Workflow_trace_id_idx" ON "Workflow" (trace_id);
CREATE INDEX "AgentTask_workflow_id_idx" ON "AgentTask" (workflow_id);
CREATE INDEX "AgentTask_trace_id_idx" ON "AgentTask" (trace_id);
