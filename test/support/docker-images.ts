import Docker from 'dockerode';

const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET ?? '/var/run/docker.sock' });

export const imageExists = async (ref: string): Promise<boolean> => {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
};

/** Removes an image the way an operator would, to make this engine look like a host that never built it. */
export const removeImage = async (ref: string): Promise<void> => {
  await docker.getImage(ref).remove({ force: true });
};
