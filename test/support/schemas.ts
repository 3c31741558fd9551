/** Schema fixtures shared by the unit tables: the 15Five extension as config/schemas/15five-user.yaml declares it. */
import { attr, type SchemaDefinition } from '../../src/scim/schemas/types.js';

export const FIFTEEN_FIVE = 'urn:ietf:params:scim:schemas:extension:15Five:2.0:User';

export const fifteenFiveSchema: SchemaDefinition = {
  id: FIFTEEN_FIVE,
  name: '15Five User',
  description: '15Five user attributes',
  attributes: [attr('location', 'string'), attr('startDate', 'string')],
};
