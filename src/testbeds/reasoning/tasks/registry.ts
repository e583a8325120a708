/** Every reasoning task by name, and the task of a problem. */
import * as addition from './addition';
import * as countdown from './countdown';
import * as dag from './dag';
import * as multiplication from './multiplication';
import type { Problem, Task, TaskName } from './task';

/** The task objects by name. */
export const TASKS: Readonly<Record<TaskName, Task>> = {
  addition: addition.additionTask,
  multiplication: multiplication.multiplicationTask,
  countdown: countdown.countdownTask,
  dag: dag.dagTask,
};

/** The task names. */
export const TASK_NAMES = Object.keys(TASKS) as TaskName[];

/** The task called `name`; throws naming the known tasks otherwise. */
export function getTask(name: string): Task {
  const t = (TASKS as Record<string, Task>)[name];
  if (!t) throw new Error(`reasoning: unknown task "${name}"; the tasks are ${TASK_NAMES.join(', ')}`);
  return t;
}

/** The task that generated `p`. */
export function taskOf(p: Problem): Task {
  return getTask(p.task);
}
