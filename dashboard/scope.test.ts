import { describe, expect, it } from 'vitest'
import { canSee, sameScope, type Viewer } from './scope.ts'

const staff: Viewer = { userId: 1, role: 'staff', careCentreId: 3, residentIds: new Set() }
const family: Viewer = { userId: 2, role: 'family', careCentreId: null, residentIds: new Set([10]) }
const admin: Viewer = { userId: 3, role: 'admin', careCentreId: null, residentIds: new Set() }

describe('canSee', () => {
  it('when staff look at a resident of their own centre, then they see them; of another centre or none, they do not', () => {
    expect(canSee(staff, { residentId: 10, careCentreId: 3 })).toBe(true)
    expect(canSee(staff, { residentId: 11, careCentreId: 4 })).toBe(false)
    expect(canSee(staff, { residentId: 12, careCentreId: null })).toBe(false)
  })
  it('when a family member looks at their linked relative, then they see them, and nobody else, even in the same centre', () => {
    expect(canSee(family, { residentId: 10, careCentreId: 3 })).toBe(true)
    expect(canSee(family, { residentId: 11, careCentreId: 3 })).toBe(false)
  })
  it('when an admin looks at anyone, then they see them', () => {
    expect(canSee(admin, { residentId: 99, careCentreId: null })).toBe(true)
  })
})

describe('sameScope', () => {
  it("when a viewer's role, centre or linked residents change, then the scope differs; reordered, it does not", () => {
    expect(sameScope(family, { ...family, residentIds: new Set([10]) })).toBe(true)
    expect(sameScope(family, { ...family, residentIds: new Set() })).toBe(false)
    expect(sameScope(family, { ...family, residentIds: new Set([10, 11]) })).toBe(false)
    const linked = (...ids: number[]): Viewer => ({ ...family, residentIds: new Set(ids) })
    expect(sameScope(linked(11, 10), linked(10, 11))).toBe(true)
    expect(sameScope(staff, { ...staff, careCentreId: 4 })).toBe(false)
    expect(sameScope(staff, { ...staff, role: 'admin' })).toBe(false)
  })
})
