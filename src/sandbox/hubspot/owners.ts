/** Owners (users who can own records) and their teams, as `/crm/v3/owners` serves them. */
export interface OwnerTeam {
  id: string;
  name: string;
  primary: boolean;
}

export interface Owner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  userIdIncludingInactive: number;
  type: 'PERSON';
  teams: OwnerTeam[];
  archived: boolean;
  createdAt: string;
  updatedAt: string;
}

export class OwnerDirectory {
  private readonly owners: Owner[] = [];
  private readonly byId = new Map<string, Owner>();
  private readonly byUserId = new Map<number, Owner>();

  add(owner: Owner): void {
    this.owners.push(owner);
    this.byId.set(owner.id, owner);
    this.byUserId.set(owner.userId, owner);
  }

  get(id: string): Owner | undefined {
    return this.byId.get(id);
  }

  getByUserId(userId: number): Owner | undefined {
    return this.byUserId.get(userId);
  }

  /** Owners in id order, filtered by archived state and (case-insensitive) email. */
  list(filter: { archived: boolean; email?: string }): Owner[] {
    const email = filter.email?.toLowerCase();
    return this.owners.filter((o) => o.archived === filter.archived && (email === undefined || o.email.toLowerCase() === email));
  }
}
