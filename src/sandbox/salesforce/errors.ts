/** Salesforce REST error bodies: a JSON array of `{message, errorCode, fields?}` with an HTTP status. */

export interface SfErrorItem {
  message: string;
  errorCode: string;
  fields?: string[];
}

/** Thrown by handlers; the HTTP adapter renders it as `status` + `[{message, errorCode, fields?}]`. */
export class SfApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields?: string[],
  ) {
    super(message);
  }

  body(): SfErrorItem[] {
    return [{ message: this.message, errorCode: this.errorCode, ...(this.fields ? { fields: this.fields } : {}) }];
  }
}

/** One record's failure in a save (SaveResult errors use `statusCode`, not `errorCode`). */
export interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}

export class RecordSaveError extends Error {
  constructor(readonly errors: SaveError[]) {
    super(errors.map((e) => `${e.statusCode}: ${e.message}`).join('; '));
  }
}

export function saveError(statusCode: string, message: string, fields: string[] = []): SaveError {
  return { statusCode, message, fields };
}

export const notFound = (what: string): SfApiError =>
  new SfApiError(404, 'NOT_FOUND', `The requested resource does not exist: ${what}`);
