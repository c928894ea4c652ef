import { z } from 'zod'

/** The workflow, in order. `completed` is the end. */
export const STEPS = [
  'track_input',
  'track_ai_description',
  'track_ai_lyrics',
  'track_generating',
  'video_description',
  'reference_images',
  'reference_image_description',
  'video_styles',
  'completed',
] as const

export const stepSchema = z.enum(STEPS)
export type Step = z.infer<typeof stepSchema>

/** What `serialize(file, { fileId })` from autosave-kit gives for an uploaded File. */
export const fileMetaSchema = z.strictObject({
  name: z.string(),
  size: z.number().int().nonnegative(),
  type: z.string(),
  lastModified: z.number().optional(),
  fileId: z.string().optional(),
})
export type FileMeta = z.infer<typeof fileMetaSchema>

export const chatMessageSchema = z.strictObject({
  id: z.string().min(1),
  role: z.enum(['assistant', 'user']),
  content: z.string(),
  timestamp: z.string(),
  files: z
    .strictObject({
      audio: fileMetaSchema.optional(),
      images: z.array(fileMetaSchema).optional(),
    })
    .optional(),
})
export type ChatMessage = z.infer<typeof chatMessageSchema>

export const referenceImageSchema = z.strictObject({
  name: z.string(),
  size: z.number().int().nonnegative(),
  type: z.string(),
  description: z.string(),
  id: z.string().min(1),
})
export type ReferenceImage = z.infer<typeof referenceImageSchema>

export const uploadedAudioSchema = z.strictObject({
  fileName: z.string(),
  fileSize: z.number().int().nonnegative(),
  fileType: z.string(),
  fileId: z.string().min(1),
})
export type UploadedAudio = z.infer<typeof uploadedAudioSchema>

/**
 * The whole wizard, exactly as it is saved: the autosave engine validates every state with
 * this schema before sending it and after restoring it. Strict objects: a key the schema does
 * not name is an error, so the saved shape cannot drift.
 */
export const wizardStateSchema = z.strictObject({
  currentStep: stepSchema,
  chat: z.array(chatMessageSchema),
  data: z.strictObject({
    musicDescription: z.string(),
    isInstrumental: z.boolean(),
    videoDescription: z.string(),
    videoStyles: z.array(z.string()),
    referenceImages: z.array(referenceImageSchema),
    uploadedAudio: uploadedAudioSchema.nullable(),
  }),
})
export type WizardState = z.infer<typeof wizardStateSchema>
export type WizardData = WizardState['data']
