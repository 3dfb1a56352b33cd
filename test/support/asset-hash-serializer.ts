// Jest loads a serializer module by path; ours is the one we export to users.
import { assetHashSerializer } from '../../lib/testing';

module.exports = assetHashSerializer;
