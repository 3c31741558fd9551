/**
 * Personio v1 employees (docs/native-apis.md, "Personio"): what `POST` and `PATCH /company/employees` take
 * (an `employee` object), the checks the reference documents (required fields, the four statuses, an
 * existing supervisor, `yyyy-mm-dd` dates), what it ignores silently or with a `meta` note, and the
 * wrapped shape reads answer (`{"attributes": {"email": {"label", "value", "type", "universal_id"}}}`).
 */
import { isIsoDate } from './dates.js';

/** An employee as the emulator holds it (flat); reads wrap it. */
export type Employee = Record<string, unknown> & { id: number };

export const STATUSES = ['onboarding', 'active', 'leave', 'inactive'] as const;

/** Guess: the departments and offices a company has "predefined in Personio" (the writes name them). */
export const KNOWN = { department: ['Engineering', 'Sales', 'Customer Support'], office: ['Berlin', 'Munich', 'Madrid'], subcompany: ['ACME'] } as const;

export type Checked = { ok: true; changes: Record<string, unknown>; meta: string[] } | { ok: false; message: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function looksLikeEmail(value: string): boolean {
  const at = value.indexOf('@');
  return at > 0 && at === value.lastIndexOf('@') && value.slice(at + 1).includes('.') && !/\s/.test(value) && value.length <= 254;
}

/**
 * Checks `{"employee": {...}}`. `creating`: email, first_name and last_name are required; otherwise email
 * is not updatable and, like every field outside the documented body, ignored. `selfId` is the employee
 * being updated (a supervisor cannot be oneself). Names of departments, offices and subcompanies that do
 * not exist are left out with a `meta` note, as the reference says.
 */
export function checkEmployeeWrite(
  input: unknown,
  creating: boolean,
  lookups: { employeeExists(id: number): boolean; emailTaken(email: string): boolean },
  selfId?: number,
): Checked {
  if (!isObject(input) || !isObject(input.employee)) return { ok: false, message: 'The request body must contain an employee object' }; // guess: wording
  const employee = input.employee;
  const changes: Record<string, unknown> = {};
  const meta: string[] = [];
  if (creating) {
    for (const name of ['email', 'first_name', 'last_name']) {
      if (typeof employee[name] !== 'string' || (employee[name] as string).trim() === '') return { ok: false, message: `The ${name} field is required` }; // guess: wording
    }
    const email = employee.email as string;
    if (!looksLikeEmail(email)) return { ok: false, message: 'The email must be a valid email address' };
    if (lookups.emailTaken(email)) return { ok: false, message: 'The email has already been taken' }; // guess: status and wording
    changes.email = email;
  }
  for (const name of ['first_name', 'last_name', 'preferred_name', 'gender', 'position']) {
    if (!Object.hasOwn(employee, name)) continue;
    const value = employee[name];
    if (value !== null && typeof value !== 'string') return { ok: false, message: `The ${name} must be a string` };
    changes[name] = value;
  }
  for (const name of ['department', 'office', 'subcompany'] as const) {
    if (!Object.hasOwn(employee, name)) continue;
    const value = employee[name];
    if (value === null || (typeof value === 'string' && (KNOWN[name] as readonly string[]).includes(value))) changes[name] = value;
    else meta.push(`The ${name} "${String(value)}" does not exist in Personio and was ignored`); // guess: wording
  }
  if (Object.hasOwn(employee, 'hire_date')) {
    if (employee.hire_date !== null && !isIsoDate(employee.hire_date)) return { ok: false, message: 'The hire_date must be a date in the format yyyy-mm-dd' };
    changes.hire_date = employee.hire_date;
  }
  if (Object.hasOwn(employee, 'weekly_working_hours')) {
    if (typeof employee.weekly_working_hours !== 'number') return { ok: false, message: 'The weekly_working_hours must be a number' };
    changes.weekly_working_hours = employee.weekly_working_hours;
  }
  if (Object.hasOwn(employee, 'status')) {
    if (!(STATUSES as readonly unknown[]).includes(employee.status)) return { ok: false, message: `The status "${String(employee.status)}" is not recognized` };
    changes.status = employee.status;
  }
  if (Object.hasOwn(employee, 'supervisor_id')) {
    const id = employee.supervisor_id;
    if (id === null) changes.supervisor_id = null;
    else if (typeof id !== 'number' || !Number.isInteger(id) || !lookups.employeeExists(id) || id === selfId) {
      return { ok: false, message: `Supervisor with ID ${String(id)} not found` };
    } else changes.supervisor_id = id;
  }
  return { ok: true, changes, meta };
}

const LABELS: Record<string, [string, string]> = {
  id: ['ID', 'integer'],
  first_name: ['First name', 'standard'],
  last_name: ['Last name', 'standard'],
  preferred_name: ['Name (preferred)', 'standard'],
  email: ['Email', 'standard'],
  gender: ['Gender', 'standard'],
  status: ['Status', 'standard'],
  position: ['Position', 'standard'],
  supervisor: ['Supervisor', 'standard'],
  hire_date: ['Hire date', 'date'],
  weekly_working_hours: ['Weekly hours', 'standard'],
  department: ['Department', 'standard'],
  office: ['Office', 'standard'],
  subcompany: ['Subcompany', 'standard'],
  created_at: ['created_at', 'date'],
  last_modified_at: ['Last modified', 'date'],
};

const attribute = (key: string, value: unknown) => ({ label: LABELS[key]![0], value, type: LABELS[key]![1], universal_id: key });

/** `{"type": "Employee", "attributes": {...}}`: every attribute wrapped, relations as objects of their own. */
export function wrapEmployee(e: Employee, idOfName: (kind: 'department' | 'office' | 'subcompany', name: string) => number): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const key of ['id', 'first_name', 'last_name', 'preferred_name', 'email', 'gender', 'status', 'position', 'weekly_working_hours', 'created_at', 'last_modified_at']) {
    attributes[key] = attribute(key, e[key] ?? null);
  }
  attributes.supervisor = attribute(
    'supervisor',
    e.supervisor_id == null ? null : { type: 'Employee', attributes: { id: attribute('id', e.supervisor_id) } },
  );
  // Dates are answered as a dateTime in the company's zone (guess: always +01:00, as in the reference's example).
  attributes.hire_date = attribute('hire_date', typeof e.hire_date === 'string' ? `${e.hire_date}T00:00:00+01:00` : null);
  for (const kind of ['department', 'office', 'subcompany'] as const) {
    const name = e[kind];
    const type = kind === 'department' ? 'Department' : kind === 'office' ? 'Office' : 'Subcompany';
    attributes[kind] = attribute(kind, typeof name === 'string' ? { type, attributes: { id: idOfName(kind, name), name } } : null);
  }
  return { type: 'Employee', attributes };
}
