import { randomBytes } from 'node:crypto';

/**
 * The MESH_SECRET of every test mesh this process starts: drawn at run time,
 * never written down, and the same for each call so that services started
 * later (and specs that sign a heartbeat themselves) belong to the same mesh.
 */
export const TEST_MESH_SECRET = randomBytes(32).toString('base64url');
